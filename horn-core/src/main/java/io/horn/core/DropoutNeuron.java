package io.horn.core;

/**
 * A {@link StandardNeuron} whose layer is trained with dropout (Srivastava et al., "Dropout: a
 * simple way to prevent neural networks from overfitting", JMLR 15, 2014).
 *
 * <p>While training, each unit is kept with the layer's keep probability ({@link
 * #DEFAULT_KEEP_PROBABILITY} when the layer was declared without one) and dropped otherwise; kept
 * units pass their output unchanged. In inference every unit is scaled by the keep probability,
 * as in the paper. Any layer can drop units ({@link HornJob#addLayer(int, float, Class, Class)}
 * takes the keep probability, as Apache Horn's did); this class only changes the default.
 */
public class DropoutNeuron extends StandardNeuron {
  /** The keep probability of a layer of dropout neurons declared without one. */
  public static final float DEFAULT_KEEP_PROBABILITY = 0.5f;

  /**
   * The drop rate of a layer of dropout neurons declared without one: {@code 1 -} {@link
   * #DEFAULT_KEEP_PROBABILITY}.
   */
  public static final float DEFAULT_DROP_RATE = 1f - DEFAULT_KEEP_PROBABILITY;
}
