package org.gkc4j.experiments.spark;

import org.gkc4j.GkcException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sum of one {@code float[]} per peer, in place on every peer, around a ring over plain sockets: reduce-scatter then
 * all-gather, {@code N - 1} steps each, every peer sending one chunk of about {@code length / N} values to the next
 * and receiving one from the previous per step, so each peer moves {@code 2 (N-1)/N} of the array whatever N is.
 * Chunk {@code c} is {@code [c L / N, (c+1) L / N)}: sizes differ by at most one, and are empty when {@code L < N}.
 * <p>
 * Every peer listens on its own {@link ServerSocket}, connects to the next peer's and accepts the previous one's;
 * how peers learn each other's addresses is the caller's (between Spark barrier tasks: {@code allGather}). A step
 * sends on its own thread while it reads, since all peers send at once and a chunk can exceed the sockets' buffers.
 * Every read is bounded by {@code timeoutMillis}; a silent, lost or confused peer ends in a {@link GkcException}
 * naming both peers and the step.
 */
public final class RingAllReduce {
    /** Header of every message: step number and number of values, so a peer out of step is caught, not summed. */
    private static final int HEADER = 8;

    private RingAllReduce() {
    }

    /** A listening socket on any free port of every interface, for {@link #sum}. */
    public static ServerSocket listen() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(0), 4);
            return s;
        } catch (IOException e) {
            throw new GkcException("ring all-reduce: cannot listen on a free port: " + e.getMessage(), e);
        }
    }

    /** The first value of chunk {@code c} of {@code n} over {@code length} values. */
    static int chunkStart(int length, int n, int c) {
        return (int) ((long) c * length / n);
    }

    /**
     * Replaces {@code values} by the sum over the peers of theirs (every peer's array has the same length).
     *
     * @param rank   this peer's position in {@code peers}
     * @param peers  every peer's {@code host:port}, the same list on every peer
     * @param server this peer's listening socket (the port it published); closed here
     */
    public static void sum(float[] values, int rank, List<String> peers, ServerSocket server, int timeoutMillis) {
        int n = peers.size();
        if (rank < 0 || rank >= n) {
            throw new IllegalArgumentException("rank " + rank + " of " + n + " peers");
        }
        if (n == 1) {
            close(server);
            return;
        }
        int next = (rank + 1) % n, prev = (rank + n - 1) % n;
        ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
        try (server;
             Socket out = connect(peers.get(next), rank, next, timeoutMillis);
             Socket in = accept(server, rank, prev, timeoutMillis)) {
            DataOutputStream w = new DataOutputStream(new BufferedOutputStream(out.getOutputStream(), 1 << 16));
            DataInputStream r = new DataInputStream(new BufferedInputStream(in.getInputStream(), 1 << 16));
            int step = 0;
            for (int s = 0; s < n - 1; s++, step++) {   // reduce-scatter: chunk (rank-s-1) gathers one more peer's share
                exchange(values, n, Math.floorMod(rank - s, n), Math.floorMod(rank - s - 1, n), true, step, w, r, sender, rank, prev, peers, timeoutMillis);
            }
            for (int s = 0; s < n - 1; s++, step++) {   // all-gather: rank holds the whole sum of chunk rank+1
                exchange(values, n, Math.floorMod(rank + 1 - s, n), Math.floorMod(rank - s, n), false, step, w, r, sender, rank, prev, peers, timeoutMillis);
            }
        } catch (IOException e) {
            throw new GkcException(String.format("ring all-reduce: peer %d of %d: %s", rank, n, e), e);
        } finally {
            sender.shutdownNow();
        }
    }

    private static void exchange(float[] values, int n, int sendChunk, int recvChunk, boolean add, int step, DataOutputStream w,
                                 DataInputStream r, ExecutorService sender, int rank, int prev, List<String> peers, int timeoutMillis) throws IOException {
        int s0 = chunkStart(values.length, n, sendChunk), s1 = chunkStart(values.length, n, sendChunk + 1);
        Future<?> sent = sender.submit(() -> {
            write(w, step, values, s0, s1);
            return null;
        });
        int r0 = chunkStart(values.length, n, recvChunk), r1 = chunkStart(values.length, n, recvChunk + 1);
        try {
            int gotStep = r.readInt(), count = r.readInt();
            if (gotStep != step || count != r1 - r0) {
                throw new GkcException(String.format("ring all-reduce: peer %d expected step %d with %d values from peer %d (%s), got step %d with %d",
                        rank, step, r1 - r0, prev, peers.get(prev), gotStep, count));
            }
            byte[] b = new byte[count * Float.BYTES];
            r.readFully(b);
            var f = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            if (add) {
                for (int i = r0; i < r1; i++) {
                    values[i] += f.get();
                }
            } else {
                f.get(values, r0, count);
            }
        } catch (SocketTimeoutException e) {
            throw new GkcException(String.format("ring all-reduce: peer %d received nothing from peer %d (%s) for %d ms at step %d",
                    rank, prev, peers.get(prev), timeoutMillis, step), e);
        } catch (java.io.EOFException e) {
            throw new GkcException(String.format("ring all-reduce: peer %d (%s) closed the connection to peer %d at step %d",
                    prev, peers.get(prev), rank, step), e);
        }
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GkcException("ring all-reduce: interrupted", e);
        } catch (ExecutionException e) {
            throw new GkcException(String.format("ring all-reduce: peer %d cannot send to peer %d (%s) at step %d: %s",
                    rank, (rank + 1) % n, peers.get((rank + 1) % n), step, e.getCause()), e.getCause());
        }
    }

    private static void write(DataOutputStream w, int step, float[] values, int from, int to) throws IOException {
        w.writeInt(step);
        w.writeInt(to - from);
        ByteBuffer b = ByteBuffer.allocate(Math.min(to - from, 1 << 16) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; ) {
            b.clear();
            int k = Math.min(to - i, b.capacity() / Float.BYTES);
            b.asFloatBuffer().put(values, i, k);
            w.write(b.array(), 0, k * Float.BYTES);
            i += k;
        }
        w.flush();
    }

    private static Socket connect(String address, int rank, int peer, int timeoutMillis) throws IOException {
        int colon = address.lastIndexOf(':');
        InetSocketAddress a = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(a, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return s;
        } catch (IOException e) {
            s.close();
            throw new GkcException(String.format("ring all-reduce: peer %d cannot connect to peer %d at %s: %s", rank, peer, address, e.getMessage()), e);
        }
    }

    private static Socket accept(ServerSocket server, int rank, int peer, int timeoutMillis) throws IOException {
        server.setSoTimeout(timeoutMillis);
        try {
            Socket s = server.accept();
            s.setSoTimeout(timeoutMillis);
            s.setTcpNoDelay(true);
            return s;
        } catch (SocketTimeoutException e) {
            throw new GkcException(String.format("ring all-reduce: peer %d waited %d ms for peer %d to connect", rank, timeoutMillis, peer), e);
        }
    }

    private static void close(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing was received on it
        }
    }
}
