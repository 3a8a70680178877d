package org.gkc4j.criterion;

import java.util.Arrays;

/**
 * Exact minimum-cost assignment for rectangular cost matrices (what scipy's linear_sum_assignment solves): every
 * row of the smaller side is assigned a distinct column. Shortest augmenting paths with row and column potentials,
 * O(n^2 m) for n <= m.
 */
public final class LinearAssignment {
    private LinearAssignment() {
    }

    /**
     * Returns {@code assignment[r]} = the column of row r when rows <= columns; with more rows than columns, rows
     * without a column get -1.
     */
    public static int[] solve(double[][] cost) {
        int rows = cost.length;
        if (rows == 0) {
            return new int[0];
        }
        int cols = cost[0].length;
        for (double[] r : cost) {
            for (double c : r) {
                if (!Double.isFinite(c)) {
                    throw new IllegalArgumentException("assignment cost matrix holds a non-finite value");
                }
            }
        }
        if (rows <= cols) {
            return solveWide(cost, rows, cols);
        }
        double[][] t = new double[cols][rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j][i] = cost[i][j];
            }
        }
        int[] colOfRowT = solveWide(t, cols, rows);
        int[] out = new int[rows];
        Arrays.fill(out, -1);
        for (int j = 0; j < cols; j++) {
            out[colOfRowT[j]] = j;
        }
        return out;
    }

    /** n <= m. Classic potentials formulation, 1-based internally. */
    private static int[] solveWide(double[][] a, int n, int m) {
        double[] u = new double[n + 1], v = new double[m + 1];
        int[] p = new int[m + 1], way = new int[m + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[m + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[m + 1];
            do {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = Double.POSITIVE_INFINITY;
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        double cur = a[i0 - 1][j - 1] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] ans = new int[n];
        for (int j = 1; j <= m; j++) {
            if (p[j] != 0) {
                ans[p[j] - 1] = j - 1;
            }
        }
        return ans;
    }

    public static double total(double[][] cost, int[] assignment) {
        double s = 0;
        for (int r = 0; r < assignment.length; r++) {
            if (assignment[r] >= 0) {
                s += cost[r][assignment[r]];
            }
        }
        return s;
    }
}
