/**
 * The weights of the building blocks every architecture is made of, as small typed records bound zero-copy to the
 * mapped GGUF file: {@link io.edgellm.engine.nn.Linear}, {@link io.edgellm.engine.nn.Norm},
 * {@link io.edgellm.engine.nn.Attention}, {@link io.edgellm.engine.nn.FeedForward} and
 * {@link io.edgellm.engine.nn.Experts}. The operations over them are {@link io.edgellm.engine.Forward}'s.
 */
package io.edgellm.engine.nn;
