/** Typed configuration: options with key, default and description, and Hadoop-style XML files. */
package io.horn.core.conf;
