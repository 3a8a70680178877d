package org.gkc4j.criterion;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearAssignmentTest {
    /** Minimum over every injective map of the smaller side into the larger. */
    private static double bruteForce(double[][] c) {
        int n = c.length, m = c[0].length;
        if (n <= m) {
            return best(c, 0, new boolean[m]);
        }
        double[][] t = new double[m][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) t[j][i] = c[i][j];
        return best(t, 0, new boolean[n]);
    }

    private static double best(double[][] c, int row, boolean[] used) {
        if (row == c.length) return 0;
        double b = Double.POSITIVE_INFINITY;
        for (int j = 0; j < used.length; j++) {
            if (!used[j]) {
                used[j] = true;
                b = Math.min(b, c[row][j] + best(c, row + 1, used));
                used[j] = false;
            }
        }
        return b;
    }

    @Test
    void matchesBruteForceOnRandomRectangularCases() {
        Random rng = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rng.nextInt(5), m = 1 + rng.nextInt(7);
            double[][] c = new double[n][m];
            for (double[] r : c) for (int j = 0; j < m; j++) r[j] = rng.nextInt(4) == 0 ? rng.nextInt(3) : rng.nextGaussian() * 5;
            int[] a = LinearAssignment.solve(c);
            Set<Integer> cols = new HashSet<>();
            int assigned = 0;
            for (int x : a) if (x >= 0) { assertTrue(cols.add(x), "columns distinct"); assigned++; }
            assertEquals(Math.min(n, m), assigned);
            assertEquals(bruteForce(c), LinearAssignment.total(c, a), 1e-9, "trial " + trial);
        }
    }

    @Test
    void handCase() {
        double[][] c = {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}};
        assertArrayEquals(new int[]{1, 0, 2}, LinearAssignment.solve(c));
    }
}
