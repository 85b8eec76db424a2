package io.horn.core;
