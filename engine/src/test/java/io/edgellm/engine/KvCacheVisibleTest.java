package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgellm.KvCacheType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link KvCache#visible} lists a sequence's cells in position order even when it got reused cells out of order. */
class KvCacheVisibleTest {
    @Test
    void cellsComeInPositionOrder() {
        KvCache c = new KvCache(KvCacheType.F32, 1, 8, 4, 4);
        for (int p = 0; p < 3; p++) c.allocate(p, 1);          // cells 0..2: sequence 1
        for (int p = 0; p < 3; p++) c.allocate(p, 2);          // cells 3..5: sequence 2, positions 0..2
        c.seqRemove(1, -1, -1);                                // frees 0..2; the next cells come from there
        c.allocate(3, 2);                                      // cell 0: sequence 2, position 3
        c.allocate(4, 2);                                      // cell 1: position 4
        int[] out = new int[8];
        int n = c.visible(2, 4, 0, out);
        assertEquals(5, n);
        assertArrayEquals(new int[] {3, 4, 5, 0, 1}, Arrays.copyOf(out, n), "positions 0..4 in order");
        n = c.visible(2, 3, 0, out);
        assertArrayEquals(new int[] {3, 4, 5, 0}, Arrays.copyOf(out, n));
        n = c.visible(2, 4, 2, out);                           // sliding window of 2: positions 3, 4
        assertArrayEquals(new int[] {0, 1}, Arrays.copyOf(out, n));
    }
}
