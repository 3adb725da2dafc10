package dev.convexcnn.data;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SplitsPropertiesTest {
    @Property(tries = 200)
    boolean partitionsEveryClass(@ForAll @Size(max = 300) int[] rawLabels, @ForAll @IntRange(min = 1, max = 6) int classes,
            @ForAll @DoubleRange(min = 0, max = 0.99) double fraction, @ForAll long seed) {
        int[] labels = Arrays.stream(rawLabels).map(v -> Math.floorMod(v, classes)).toArray();
        int[][] parts = Splits.stratifiedIndices(labels, classes, fraction, seed);
        int[] all = new int[labels.length];
        for (int[] part : parts) {
            for (int k = 0; k < part.length; k++) {
                if (k > 0 && part[k] <= part[k - 1]) return false;
                all[part[k]]++;
            }
        }
        if (Arrays.stream(all).anyMatch(c -> c != 1)) return false;
        int[] count = new int[classes];
        int[] inVal = new int[classes];
        for (int y : labels) count[y]++;
        for (int i : parts[1]) inVal[labels[i]]++;
        for (int c = 0; c < classes; c++) {
            if (inVal[c] != Math.round(fraction * count[c])) return false;
        }
        return true;
    }
}
