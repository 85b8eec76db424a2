/**
 * The network's shape ({@link io.horn.core.model.NetworkSpec}), trained models, their
 * initialisation and their file format.
 */
package io.horn.core.model;
