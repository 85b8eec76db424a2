package io.horn.core.data;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What a network expects of its data: {@code features} inputs and {@code targets} outputs per
 * sample (for classification, the number of classes). Formats that cannot tell these from the
 * data alone, such as text files whose labels are class ids, use it to build one-hot targets of
 * the right width and to check every line as they read it.
 *
 * @param features the input layer's size, positive
 * @param targets the output layer's size, positive
 */
public record DataShape(int features, int targets) {
  public DataShape {
    checkArgument(features > 0, "features must be positive, got %s", features);
    checkArgument(targets > 0, "targets must be positive, got %s", targets);
  }

  @Override
  public String toString() {
    return features + " features, " + targets + " targets";
  }
}
