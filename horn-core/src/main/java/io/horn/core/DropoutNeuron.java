package io.horn.core;

/**
 * A {@link StandardNeuron} whose layer is trained with dropout (Srivastava et al., "Dropout: a
 * simple way to prevent neural networks from overfitting", JMLR 15, 2014).
 *
 * <p>While training, each unit is dropped with the layer's drop rate (0.5 when the layer was
 * declared without one); kept units pass their output unchanged. In inference every unit is
 * scaled by the keep probability {@code 1 - rate}, as in the paper. Any layer can drop units
 * (its drop rate); this class only changes the default rate.
 */
public class DropoutNeuron extends StandardNeuron {
  /** The drop rate of a layer of dropout neurons declared without one. */
  public static final float DEFAULT_DROP_RATE = 0.5f;
}
