/** Benchmark mains; each reports its figures as ratios to a ceiling measured in the same run. */
package io.horn.examples.bench;
