package io.horn.core.math;

/**
 * Told by an engine, during {@link NetworkEngine#computeGradients(float[], float[], int, long,
 * Gradients, GradientListener)}, that a range of the gradient sums is final for this call, so that
 * a caller can start sending it (to a parameter server, to the other members of a task group)
 * while backward is still working on the layers below: communication overlaps computation.
 *
 * <p>Contract, which every engine keeps:
 *
 * <ul>
 *   <li>{@link #ready} is called on the thread that called {@code computeGradients}, before that
 *       call returns, never from a worker thread of the engine.
 *   <li>A range is {@code [offset, offset + length)} of {@link Gradients#sums()} in the flat
 *       parameter layout of {@link io.horn.core.model.NetworkSpec}; {@code length} is positive.
 *   <li>The ranges of one call are disjoint and together cover every parameter, {@code [0,
 *       parameterCount)}, exactly once. An engine that reports per layer reports the block of
 *       weight layer {@code l}, {@code [spec.offset(l), spec.offset(l) + spec.blockSize(l))}, top
 *       layer first (the order backward produces them); an engine that cannot reports one range
 *       covering everything at the end.
 *   <li>When a range is reported, its values in {@code out.sums()} already hold this call's
 *       contribution (added to whatever the buffer held before), and this call writes them no
 *       more. Another thread may therefore read them at once, without waiting for the call to
 *       return, provided the listener hands the range over with a happens-before edge (a
 *       volatile write, a queue, a lock) and nobody else writes the buffer meanwhile. Values
 *       outside the reported ranges are still being written and must not be read yet.
 *   <li>The sample count and cost ({@link Gradients#count()}, {@link Gradients#cost()}) are not
 *       part of any range; they are recorded after the last report, before the call returns.
 * </ul>
 *
 * <p>A listener must return quickly (it runs between layers and holds up the rest of backward):
 * enqueue or signal, do not send or copy large amounts inline. It must not call back into the
 * engine. An exception it throws ends the {@code computeGradients} call and propagates; the sums
 * are then partly added and the caller should discard them.
 *
 * <p>Thread-safety: an engine calls one listener from one thread only, so a listener needs none of
 * its own beyond what it takes to hand ranges to other threads.
 */
@FunctionalInterface
public interface GradientListener {

  /**
   * The sums in {@code [offset, offset + length)} are final for the current call.
   *
   * @param offset first index in {@link Gradients#sums()} of the range
   * @param length number of entries in the range, positive
   */
  void ready(int offset, int length);
}
