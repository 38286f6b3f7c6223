package io.edgellm.bench.runner;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Isolates the Vector API reference, so that a JVM without {@code jdk.incubator.vector} fails here, catchably. */
final class VectorApi {
    private VectorApi() {
    }

    static VectorSpecies<Float> preferredFloatSpecies() {
        return FloatVector.SPECIES_PREFERRED;
    }
}
