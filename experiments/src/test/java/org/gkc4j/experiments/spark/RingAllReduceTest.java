package org.gkc4j.experiments.spark;

import org.gkc4j.GkcException;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring all-reduce between in-process peers (threads, real sockets on localhost) against a plain sum. */
class RingAllReduceTest {
    /** Runs {@code sum} on one thread per peer; returns every peer's array afterwards. */
    private static List<float[]> ring(List<float[]> inputs, int timeoutMillis) throws Exception {
        int n = inputs.size();
        List<ServerSocket> servers = new ArrayList<>();
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ServerSocket s = RingAllReduce.listen();
            servers.add(s);
            peers.add("127.0.0.1:" + s.getLocalPort());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<float[]>> f = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int rank = i;
                f.add(pool.submit(() -> {
                    float[] v = inputs.get(rank).clone();
                    RingAllReduce.sum(v, rank, peers, servers.get(rank), timeoutMillis);
                    return v;
                }));
            }
            List<float[]> out = new ArrayList<>();
            for (Future<float[]> x : f) {
                out.add(x.get(30, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void threePeersGetThePlainSumWhateverTheLength() throws Exception {
        Random rnd = new Random(7);
        for (int length : new int[]{0, 1, 2, 3, 10, 1001, 200_003}) {   // below, at and not a multiple of N = 3
            List<float[]> in = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                float[] v = new float[length];
                for (int i = 0; i < length; i++) {
                    v[i] = (float) rnd.nextGaussian();
                }
                in.add(v);
            }
            float[] expected = new float[length];
            for (int i = 0; i < length; i++) {
                expected[i] = (float) ((double) in.get(0)[i] + in.get(1)[i] + in.get(2)[i]);
            }
            List<float[]> out = ring(in, 10_000);
            for (int p = 0; p < 3; p++) {
                assertArrayEquals(expected, out.get(p), 1e-5f, "length " + length + ", peer " + p);
            }
        }
    }

    @Test
    void chunksCoverTheArrayOnceWithSizesDifferingByAtMostOne() {
        for (int length : new int[]{0, 2, 3, 7, 10}) {
            assertEquals(0, RingAllReduce.chunkStart(length, 3, 0));
            assertEquals(length, RingAllReduce.chunkStart(length, 3, 3));
            for (int c = 0; c < 3; c++) {
                int size = RingAllReduce.chunkStart(length, 3, c + 1) - RingAllReduce.chunkStart(length, 3, c);
                assertTrue(size == length / 3 || size == length / 3 + 1, length + ": chunk " + c + " of " + size);
            }
        }
    }

    @Test
    void aPeerThatNeverComesIsAClearErrorWithinTheTimeout() throws Exception {
        ServerSocket mine = RingAllReduce.listen();
        try (ServerSocket silent = new ServerSocket(0)) {   // accepts connections (backlog) but never sends
            List<String> peers = List.of("127.0.0.1:" + mine.getLocalPort(), "127.0.0.1:" + silent.getLocalPort());
            long t0 = System.nanoTime();
            GkcException e = assertThrows(GkcException.class, () -> RingAllReduce.sum(new float[5], 0, peers, mine, 300));
            assertTrue((System.nanoTime() - t0) / 1e9 < 5, "bounded wait");
            assertTrue(e.getMessage().contains("ring all-reduce: peer 0") && e.getMessage().contains("peer 1"), e.getMessage());
        }
    }
}
