package org.gkc4j.nn.exec;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseReduceOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Executes a SameDiff graph op by op from a plan made once, instead of through M2.1's session, which re-derives the
 * subgraph, tracks dependencies and allocates every output anew at each call (about 20 us of Java per op).
 * <p>
 * Two levels of plan. Per set of requested outputs: the ops they need in dependency order, each op's input and output
 * slots, and the last op that reads each value. Per placeholder-shape signature on top of that: every op output's
 * shape and the buffer it lives in. Buffers are pooled by liveness: an intermediate's buffer goes back to the pool
 * after the last op that reads it and the next op output of the same type that fits reuses it. The signatures of one
 * output set share one pool, so it holds about the largest signature's peak of live intermediates, owned by the
 * executor and kept across calls, not left to the garbage collector ({@link #close} frees it). Requested outputs get
 * fresh arrays at each call: they belong to the caller.
 * <p>
 * An op's output shape is a function of its input shapes and arguments, except where an integer input's values
 * decide it (a reshape's target, a fill's shape). Integer values that come from constants or from shape-only ops are
 * fixed by the signature; for an op with any other integer input the shape is recomputed at every call and a
 * difference re-plans the signature.
 * <p>
 * Ops are parameterised as M2.1's session parameterises them (custom ops through an {@link OpContext} with their
 * arguments; legacy reduce and scalar ops take an axis or scalar input as a property; identity passes its input
 * through), so the results are the same values. Graphs with control flow, tensor lists or other session-level ops
 * are refused ({@link #unsupported}) and run through SameDiff.
 */
public final class LeanExecutor implements AutoCloseable {
    /** Ops whose output depends only on the shapes of their inputs. */
    private static final int MAX_LAYOUTS = 64;
    private static final Set<String> SHAPE_ONLY = Set.of("shape_of", "shapes_of", "size", "rank", "size_at");
    /**
     * Backward ops that read some inputs for their shape alone (libnd4j: the gradient of a sum, mean, broadcast add or
     * subtract, tile, slice or concatenation is gradO spread to the input's shape). Such a read does not keep the
     * input's buffer alive: the op gets the input's array after its buffer went back to the pool (same shape, other
     * values), so the forward values the backward would otherwise hold for their shape are freed when the forward
     * is done with them. Input 0 for these:
     */
    private static final Set<String> SHAPE_OF_FIRST_INPUT = Set.of("reduce_sum_bp", "reduce_mean_bp", "tile_to_shape_bp", "strided_slice_bp");
    /** Ops that read every input for its shape alone. */
    private static final Set<String> SHAPE_OF_EVERY_INPUT = union(SHAPE_ONLY, Set.of("zeroslike", "oneslike", "zeros_as", "ones_as"));

    /** Ops whose output is their input's values rearranged (a view could stand in for the copy). */
    private static final Set<String> VIEW_LIKE = Set.of("reshape", "permute", "transpose", "squeeze", "expand_dims");

    // no reference to the graph is kept between calls (ops are looked up by name at each call), so a registry can
    // hold executors weakly by graph
    private final Map<List<String>, Schedule> schedules = new HashMap<>();
    private long executions;
    /** Where this executor's plans take their buffers; also the lock of its calls (see {@link #shareBuffersWith}). */
    private volatile Pool pool = new Pool();

    /**
     * Buffers the schedules of one or more executors draw from. Calls run one at a time under the pool's lock and hand
     * out only fresh arrays, so every layout can use every buffer: the pool holds about the largest call's peak of
     * live intermediates, not the sum over graphs, output sets and signatures.
     */
    private static final class Pool {
        final List<INDArray> buffers = new ArrayList<>();
        long bytes;
        /** Bumped when the buffers are freed: layouts planned on the old ones are planned again. */
        int generation;
    }

    /**
     * From now on this executor's plans draw from {@code other}'s buffers and its calls take turns with
     * {@code other}'s: for graphs that run one after the other, such as a graph and its gradient function in a
     * training step (the forward for matching needs no buffers of its own while the gradient graph's are idle).
     */
    public void shareBuffersWith(LeanExecutor other) {
        if (other == this || pool == other.pool) {
            return;
        }
        synchronized (pool) {
            closeSchedules();
        }
        pool = other.pool;
    }

    /** Why this graph cannot run here, or null when it can. */
    public static String unsupported(SameDiff sd) {
        if (sd.getListeners() != null && !sd.getListeners().isEmpty()) {
            return "listeners are attached";
        }
        for (SameDiffOp op : sd.getOps().values()) {
            String why = unsupportedOp(op.getOp());
            if (why != null) {
                return why;
            }
            if (op.getControlDeps() != null && !op.getControlDeps().isEmpty()) {
                return "op " + op.getName() + " has control dependencies";
            }
        }
        return null;
    }

    private static String unsupportedOp(DifferentialFunction f) {
        String pkg = f.getClass().getName();
        if (f instanceof org.nd4j.linalg.api.ops.impl.controlflow.compat.BaseCompatOp) {
            return "control flow (" + f.getClass().getSimpleName() + ")";
        }
        if (pkg.startsWith("org.nd4j.linalg.api.ops.impl.shape.tensorops.")) {
            return "tensor lists (" + f.getClass().getSimpleName() + ")";
        }
        String simple = f.getClass().getSimpleName();
        if (simple.equals("Invoke") || simple.equals("CreateView") || simple.equals("ExternalErrorsFunction")
                || simple.equals("Assert") || simple.equals("GradientBackwardsMarker")) {
            return "session-level op " + simple;
        }
        if (!(f instanceof CustomOp) && !(f instanceof Op)) {
            return "op " + simple + " is neither a custom nor a legacy op";
        }
        return null;
    }

    private static volatile Map<String, long[]> profile;

    /**
     * Starts adding every op's execution time to a table by op name (calls, nanoseconds), plus one row
     * {@value #BOOKKEEPING} for the executor's own time around the ops; {@link #stopProfile} returns it.
     */
    public static void startProfile() {
        profile = new java.util.concurrent.ConcurrentHashMap<>();
    }

    public static Map<String, long[]> stopProfile() {
        Map<String, long[]> p = profile;
        profile = null;
        return p == null ? Map.of() : p;
    }

    private static final java.util.concurrent.atomic.AtomicLong PLANS = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong PLAN_NANOS = new java.util.concurrent.atomic.AtomicLong();

    /** Planning passes so far in this process and their seconds (a planning pass also executes the call). */
    public static String planningStats() {
        return String.format("%d planning passes, %.3f s", PLANS.get(), PLAN_NANOS.get() / 1e9);
    }

    private static final java.util.concurrent.atomic.AtomicLong BINDINGS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Arrays an op's context may have been handed before its next call purges it. libnd4j's context keeps a native
     * wrapper of every array
     * it was ever given until it is purged or closed (about 100 bytes each): ops given new arrays at every step (fed
     * placeholders, fresh requested outputs, the buffers of another signature's layout) grew a training run by 4-6 MB a
     * step (the demo's network: 12 GB by step 1900).
     */
    private static final int MAX_HANDLES = 32;
    private static final java.util.concurrent.atomic.AtomicLong PURGES = new java.util.concurrent.atomic.AtomicLong();

    /** Times an op's context was purged of the arrays it had been handed, so far in this process. */
    public static long contextPurges() {
        return PURGES.get();
    }

    /**
     * Times an op's context was given new inputs or a new output array so far in this process: a call on the arrays
     * of the call before binds only its fresh requested outputs and what changed.
     */
    public static long contextBindings() {
        return BINDINGS.get();
    }

    private static final java.util.concurrent.atomic.AtomicLong POOLED = new java.util.concurrent.atomic.AtomicLong();

    /** Bytes of pooled buffers over all executors of this process (each pool counted once). */
    public static long pooledBytesInProcess() {
        return POOLED.get();
    }

    /** Planning passes so far in this process (tests see from it that a graph went through the lean path). */
    public static long planningPasses() {
        return PLANS.get();
    }

    public static final String BOOKKEEPING = "(lean executor between ops)";

    /** Calls that ran here (for tests and benches). */
    public long executions() {
        synchronized (pool) {
            return executions;
        }
    }

    /** The values of {@code outputs}; placeholders the requested outputs do not need are ignored. */
    public Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> placeholders, List<String> outputs) {
        synchronized (pool) {
            return outputLocked(sd, placeholders, outputs);
        }
    }

    private Map<String, INDArray> outputLocked(SameDiff sd, Map<String, INDArray> placeholders, List<String> outputs) {
        List<String> key = List.copyOf(outputs);
        Schedule s = schedules.get(key);
        if (s == null) {
            s = schedule(sd, key);
            schedules.put(key, s);
        }
        Map<String, long[]> p = profile;
        long t0 = System.nanoTime();
        long opNanos = p == null ? 0 : p.values().stream().mapToLong(c -> c[1]).sum();
        try {
            for (Step st : s.steps) {
                SameDiffOp op = sd.getOps().get(st.name);
                if (op == null) {
                    throw new IllegalStateException("op " + st.name + " left the graph after it was planned");
                }
                st.fn = op.getOp();
            }
            Map<String, INDArray> out = s.run(sd, placeholders);
            executions++;
            if (p != null) {
                long ops = p.values().stream().mapToLong(c -> c[1]).sum() - opNanos;
                long[] c = p.computeIfAbsent(BOOKKEEPING, k -> new long[2]);
                c[0]++;
                c[1] += System.nanoTime() - t0 - ops;
            }
            return out;
        } finally {
            for (Step st : s.steps) {
                st.fn = null;
            }
        }
    }

    /**
     * Releases every pooled buffer now (the executor plans and allocates again if used afterwards); a pool shared
     * with other executors is freed for them too, and they plan again at their next call.
     */
    @Override
    public void close() {
        Pool p = pool;
        synchronized (p) {
            closeSchedules();
            for (INDArray b : p.buffers) {
                if (b.closeable()) {
                    b.close();
                }
            }
            p.buffers.clear();
            POOLED.addAndGet(-p.bytes);
            p.bytes = 0;
            p.generation++;
        }
    }

    private void closeSchedules() {
        schedules.clear();
    }

    /**
     * Over all plans: the largest bytes of pool buffers in use at once in one call, and of the values in them (a value
     * may sit in a buffer up to twice its size). Against {@link #pooledBytes}: what the sharing of signatures and
     * the rounding of sizes cost.
     */
    public long[] peakBytes() {
        synchronized (pool) {
            long inUse = 0, values = 0;
            for (Schedule s : schedules.values()) {
                inUse = Math.max(inUse, s.peakInUse);
                values = Math.max(values, s.peakValueBytes);
            }
            return new long[]{inUse, values};
        }
    }

    /** Bytes of the buffers this executor's plans draw from (shared with other executors after {@link #shareBuffersWith}). */
    public long pooledBytes() {
        synchronized (pool) {
            return pool.bytes;
        }
    }

    /** Whether two executors draw from one pool of buffers. */
    public boolean sharesBuffersWith(LeanExecutor other) {
        return pool == other.pool;
    }

    /**
     * The pooled bytes in use at the most demanding moment of this executor's calls, by the kind of op whose output
     * each buffer holds (what the peak consists of), largest first.
     */
    public List<Map.Entry<String, Long>> peakComposition() {
        synchronized (pool) {
            Schedule top = null;
            for (Schedule s : schedules.values()) {
                if (top == null || s.peakInUse > top.peakInUse) {
                    top = s;
                }
            }
            List<Map.Entry<String, Long>> rows = new ArrayList<>(top == null ? List.of() : top.peakByOp.entrySet());
            rows.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
            return rows;
        }
    }

    // ------------------------------------------------------------------ the per-output-set plan

    private static final int PLACEHOLDER = 1;
    private static final int STORED = 2;       // variable or constant: the graph holds its array
    private static final int COMPUTED = 3;

    private static final int CUSTOM = 0;
    private static final int LEGACY = 1;
    private static final int IDENTITY = 2;

    private static final class Step {
        final String name;
        DifferentialFunction fn;         // set for the duration of a call
        final int kind;
        final int[] in;
        final int[] out;
        final boolean dynamicShape;
        final DataType[] declared;       // the output variables' declared types (SameDiff casts custom ops' to them)
        final String opName;             // the op's kind (conv2d, matmul, ...)
        final boolean viewable;          // a reshape in c order: may run as a view of its input
        OpContext ctx;
        // what ctx was last given: a call on the same arrays (pooled buffers, the graph's variables) binds nothing again
        DifferentialFunction boundFn;
        INDArray[] boundIn;
        long[] boundI;
        double[] boundT;
        boolean[] boundB;
        DataType[] boundD;
        final INDArray[] boundOut;
        int handles;                     // arrays handed to ctx since it was last purged

        Step(String name, DifferentialFunction fn, int kind, int[] in, int[] out, boolean dynamicShape, DataType[] declared) {
            this.name = name;
            this.fn = fn;
            this.kind = kind;
            this.in = in;
            this.out = out;
            this.dynamicShape = dynamicShape;
            this.declared = declared;
            this.boundOut = new INDArray[out.length];
            this.opName = fn.opName();
            boolean fOrder = false;
            if (fn instanceof DynamicCustomOp) {
                for (long a : ((DynamicCustomOp) fn).iArgs()) {
                    fOrder |= a == 'f' || a == -'f';   // (a shape holding 102 is left to the op too)
                }
            }
            this.viewable = kind == CUSTOM && "reshape".equals(fn.opName()) && out.length == 1 && in.length >= 1 && !fOrder;
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** Whether {@code op} reads input {@code index} only for its shape; {@code outputs} is how many outputs it has. */
    static boolean readsShapeOnly(String op, int index, int outputs) {
        if (SHAPE_OF_EVERY_INPUT.contains(op)) {
            return true;
        }
        if (SHAPE_OF_FIRST_INPUT.contains(op)) {
            return index == 0;
        }
        if ("add_bp".equals(op) || "subtract_bp".equals(op)) {
            return index < 2;    // x and y; gradO is read
        }
        if ("concat_bp".equals(op)) {
            return index < outputs;    // the concatenated inputs, one per gradient; then gradO (and the axis) are read
        }
        return false;
    }

    /** Test hook: fill every float buffer with NaN as it goes back to the pool, so a read of freed values shows. */
    static volatile boolean poisonFreedBuffers;

    private Schedule schedule(SameDiff sd, List<String> outputs) {
        Map<String, Variable> vars = sd.getVariables();
        Map<String, Integer> slot = new HashMap<>();
        List<String> slotNames = new ArrayList<>();
        List<Integer> slotKind = new ArrayList<>();
        // depth-first from the requested outputs: ops in an order where every op follows its producers
        List<String> order = new ArrayList<>();
        Set<String> visited = new HashSet<>();
        Set<String> onPath = new HashSet<>();
        for (String o : outputs) {
            Variable v = vars.get(o);
            if (v == null) {
                throw new IllegalArgumentException("no variable named \"" + o + "\" in this graph");
            }
            if (v.getOutputOfOp() != null) {
                visit(sd, v.getOutputOfOp(), visited, onPath, order);
            }
        }
        Set<String> valueStatic = new HashSet<>();
        List<Step> steps = new ArrayList<>();
        for (String opName : order) {
            SameDiffOp op = sd.getOps().get(opName);
            DifferentialFunction fn = op.getOp();
            List<String> ins = op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
            int[] in = new int[ins.size()];
            boolean dynamic = false;
            boolean allStatic = true;
            for (int i = 0; i < in.length; i++) {
                String n = ins.get(i);
                in[i] = slotOf(n, vars, slot, slotNames, slotKind);
                SDVariable v = vars.get(n).getVariable();
                VariableType t = v.getVariableType();
                boolean isStatic = t == VariableType.CONSTANT || t == VariableType.VARIABLE || valueStatic.contains(n);
                allStatic &= isStatic;
                DataType dt = v.dataType();
                if (!isStatic && dt != null && (dt.isIntType() || dt == DataType.BOOL)) {
                    dynamic = true;
                }
            }
            int[] out = new int[op.getOutputsOfOp().size()];
            DataType[] declared = new DataType[out.length];
            for (int i = 0; i < out.length; i++) {
                String n = op.getOutputsOfOp().get(i);
                out[i] = slotOf(n, vars, slot, slotNames, slotKind);
                declared[i] = vars.get(n).getVariable().dataType();
                if (allStatic || SHAPE_ONLY.contains(fn.opName())) {
                    valueStatic.add(n);
                }
            }
            int kind = fn instanceof Identity ? IDENTITY : fn instanceof CustomOp ? CUSTOM : LEGACY;
            steps.add(new Step(opName, fn, kind, in, out, dynamic, declared));
        }
        int[] requested = new int[outputs.size()];
        for (int i = 0; i < requested.length; i++) {
            requested[i] = slotOf(outputs.get(i), vars, slot, slotNames, slotKind);
        }
        steps = recomputeForLaterReaders(steps, slotNames, slotKind, requested);
        int n = slotNames.size();
        int[] lastUse = new int[n];
        Arrays.fill(lastUse, -1);
        for (int s = 0; s < steps.size(); s++) {
            Step st = steps.get(s);
            for (int k = 0; k < st.in.length; k++) {
                if (!readsShapeOnly(st.opName, k, st.out.length)) {
                    lastUse[st.in[k]] = s;
                }
            }
        }
        boolean[] isRequested = new boolean[n];
        for (int r : requested) {
            isRequested[r] = true;
        }
        // placeholders the outputs need
        List<Integer> phSlots = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (slotKind.get(i) == PLACEHOLDER) {
                phSlots.add(i);
            }
        }
        return new Schedule(steps, slotNames.toArray(new String[0]), slotKind.stream().mapToInt(Integer::intValue).toArray(),
                requested, List.copyOf(outputs), lastUse, isRequested, phSlots.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * For each {@link Recomputable} op that asks for it: its output, followed through the reshapes that are its only
     * reader, serves its first reader; the op and those reshapes run again just before the second reader, whose copy
     * serves every later reader. The original is then free after the first read, and the op's inputs are held instead.
     */
    private static List<Step> recomputeForLaterReaders(List<Step> steps, List<String> slotNames, List<Integer> slotKind, int[] requested) {
        Map<Integer, List<Integer>> readers = new HashMap<>();    // slot -> steps reading its values, in order
        for (int s = 0; s < steps.size(); s++) {
            Step st = steps.get(s);
            for (int k = 0; k < st.in.length; k++) {
                List<Integer> r = readers.computeIfAbsent(st.in[k], x -> new ArrayList<>());
                if (!readsShapeOnly(st.opName, k, st.out.length) && (r.isEmpty() || r.get(r.size() - 1) != s)) {
                    r.add(s);
                }
            }
        }
        Set<Integer> requestedSlots = new HashSet<>();
        for (int r : requested) {
            requestedSlots.add(r);
        }
        Map<Integer, List<Step>> before = new HashMap<>();
        for (int p = 0; p < steps.size(); p++) {
            Step op = steps.get(p);
            if (!(op.fn instanceof Recomputable) || !((Recomputable) op.fn).recomputedForLaterReaders() || op.out.length != 1) {
                continue;
            }
            List<Step> chain = new ArrayList<>(List.of(op));
            int value = op.out[0];
            while (true) {
                List<Integer> r = readers.getOrDefault(value, List.of());
                Step next = r.size() == 1 ? steps.get(r.get(0)) : null;
                if (next == null || !next.viewable || next.in[0] != value || requestedSlots.contains(value)) {
                    break;
                }
                chain.add(next);
                value = next.out[0];
            }
            List<Integer> r = readers.getOrDefault(value, List.of());
            if (r.size() < 2 || requestedSlots.contains(value)) {
                continue;
            }
            Map<Integer, Integer> copyOf = new HashMap<>();
            List<Step> copies = new ArrayList<>();
            for (Step c : chain) {
                int[] in = c.in.clone();
                for (int k = 0; k < in.length; k++) {
                    in[k] = copyOf.getOrDefault(in[k], in[k]);
                }
                int out = slotNames.size();
                slotNames.add(slotNames.get(c.out[0]) + "/recomputed");
                slotKind.add(COMPUTED);
                copyOf.put(c.out[0], out);
                copies.add(new Step(c.name, c.fn, c.kind, in, new int[]{out}, c.dynamicShape, c.declared));
            }
            int copy = copyOf.get(value);
            for (int s : r.subList(1, r.size())) {
                int[] in = steps.get(s).in;
                for (int k = 0; k < in.length; k++) {
                    if (in[k] == value) {
                        in[k] = copy;
                    }
                }
            }
            before.computeIfAbsent(r.get(1), x -> new ArrayList<>()).addAll(copies);
        }
        if (before.isEmpty()) {
            return steps;
        }
        List<Step> out = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            out.addAll(before.getOrDefault(s, List.of()));
            out.add(steps.get(s));
        }
        return out;
    }

    private static void visit(SameDiff sd, String opName, Set<String> visited, Set<String> onPath, List<String> order) {
        // iterative post-order: graphs are thousands of ops deep
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        if (visited.contains(opName)) {
            return;
        }
        stack.push(new Object[]{opName, 0});
        onPath.add(opName);
        Map<String, Variable> vars = sd.getVariables();
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            String name = (String) top[0];
            int next = (Integer) top[1];
            List<String> ins = sd.getOps().get(name).getInputsToOp();
            if (ins != null && next < ins.size()) {
                top[1] = next + 1;
                String producer = vars.get(ins.get(next)).getOutputOfOp();
                if (producer != null && !visited.contains(producer)) {
                    if (!onPath.add(producer)) {
                        throw new IllegalStateException("cycle through op " + producer);
                    }
                    stack.push(new Object[]{producer, 0});
                }
            } else {
                stack.pop();
                onPath.remove(name);
                visited.add(name);
                order.add(name);
            }
        }
    }

    private static int slotOf(String name, Map<String, Variable> vars, Map<String, Integer> slot, List<String> names, List<Integer> kinds) {
        Integer s = slot.get(name);
        if (s != null) {
            return s;
        }
        Variable v = vars.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no variable named \"" + name + "\" in this graph");
        }
        VariableType t = v.getVariable().getVariableType();
        int kind = t == VariableType.PLACEHOLDER ? PLACEHOLDER : (t == VariableType.CONSTANT || t == VariableType.VARIABLE) ? STORED : COMPUTED;
        slot.put(name, names.size());
        names.add(name);
        kinds.add(kind);
        return names.size() - 1;
    }

    // ------------------------------------------------------------------ execution

    /** The shapes and buffers of one placeholder-shape signature. */
    private static final class Layout {
        final INDArray[][] outArrays;     // per step: its outputs (pool views; null where fresh or aliased)
        final long[][][] shapes;          // per step and output: the planned shape (checked for dynamic steps)
        final DataType[][] types;
        final boolean[] copyThrough;      // identity steps whose requested output would otherwise be a pool view
        final boolean[] view;             // c-order reshapes of a contiguous value run as a view of it, not a copy
        final INDArray[] viewOf;          // per view step: the array last viewed and its view, kept so that the
        final INDArray[] viewArray;       // readers of the view see the same array (and bind nothing) call after call

        Layout(int steps) {
            outArrays = new INDArray[steps][];
            shapes = new long[steps][][];
            types = new DataType[steps][];
            copyThrough = new boolean[steps];
            view = new boolean[steps];
            viewOf = new INDArray[steps];
            viewArray = new INDArray[steps];
        }

        INDArray view(int s, INDArray of) {
            if (viewOf[s] != of) {
                viewOf[s] = of;
                viewArray[s] = of.reshape('c', shapes[s][0]);
            }
            return viewArray[s];
        }
    }

    private final class Schedule {
        final List<Step> steps;
        final String[] names;
        final int[] kinds;
        final int[] requested;
        final List<String> requestedNames;
        final int[] lastUse;
        final boolean[] isRequested;
        final int[] placeholders;
        /** Recent signatures' layouts (shapes that vary with the data, such as the number of matched masks, make many). */
        final Map<String, Layout> layouts = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Layout> eldest) {
                return size() > MAX_LAYOUTS;
            }
        };
        /** The pool generation the layouts were planned on. */
        int generation = pool.generation;
        /** At the peak of {@link #peakInUse}: bytes in use by the kind of op that produced the value held. */
        Map<String, Long> peakByOp = Map.of();
        /** Largest bytes of pool buffers in use at once over the planned signatures, and of the values in them. */
        long peakInUse, peakValueBytes;
        private long inUse, valueBytes;   // during a planning pass

        Schedule(List<Step> steps, String[] names, int[] kinds, int[] requested, List<String> requestedNames, int[] lastUse,
                 boolean[] isRequested, int[] placeholders) {
            this.steps = steps;
            this.names = names;
            this.kinds = kinds;
            this.requested = requested;
            this.requestedNames = requestedNames;
            this.lastUse = lastUse;
            this.isRequested = isRequested;
            this.placeholders = placeholders;
        }

        Map<String, INDArray> run(SameDiff sd, Map<String, INDArray> ph) {
            StringBuilder sig = new StringBuilder();
            INDArray[] values = new INDArray[names.length];
            for (int p : placeholders) {
                INDArray a = ph.get(names[p]);
                if (a == null) {
                    throw new IllegalArgumentException("no array was given for placeholder \"" + names[p] + "\"");
                }
                values[p] = a;
                sig.append(a.dataType()).append(Arrays.toString(a.shape())).append(';');
            }
            for (int i = 0; i < names.length; i++) {
                if (kinds[i] == STORED) {
                    values[i] = sd.getArrForVarName(names[i]);
                }
            }
            String key = sig.toString();
            if (generation != pool.generation) {   // the pool was freed: its buffers are gone
                layouts.clear();
                generation = pool.generation;
            }
            Layout layout = layouts.get(key);
            if (layout == null || !execute(values, layout)) {
                // the planning pass: shapes from the ops, buffers from the pool, executed as it goes
                Arrays.fill(values, 0, values.length, null);
                for (int p : placeholders) {
                    values[p] = ph.get(names[p]);
                }
                for (int i = 0; i < names.length; i++) {
                    if (kinds[i] == STORED) {
                        values[i] = sd.getArrForVarName(names[i]);
                    }
                }
                long t0 = System.nanoTime();
                layout = plan(values);
                layouts.put(key, layout);
                PLANS.incrementAndGet();
                PLAN_NANOS.addAndGet(System.nanoTime() - t0);
            }
            Map<String, INDArray> out = new HashMap<>();
            for (int r : requested) {
                out.put(names[r], values[r]);
            }
            return out;
        }

        /** Runs with a planned layout; false when a dynamic op's shape differs from the plan (nothing is returned then). */
        private boolean execute(INDArray[] values, Layout layout) {
            for (int s = 0; s < steps.size(); s++) {
                Step st = steps.get(s);
                if (st.kind == IDENTITY) {
                    values[st.out[0]] = layout.copyThrough[s] ? values[st.in[0]].dup() : values[st.in[0]];
                    continue;
                }
                OpContext ctx = context(st, values);
                if (st.dynamicShape) {
                    List<LongShapeDescriptor> shapes = shapesOf(st, ctx);
                    for (int o = 0; o < st.out.length; o++) {
                        if (!Arrays.equals(shapes.get(o).getShape(), layout.shapes[s][o])) {
                            return false;
                        }
                    }
                }
                if (layout.view[s]) {
                    values[st.out[0]] = layout.view(s, values[st.in[0]]);
                    continue;
                }
                INDArray[] outs = layout.outArrays[s];
                for (int o = 0; o < st.out.length; o++) {
                    INDArray a = outs[o];
                    if (a == null) {
                        a = Nd4j.create(layout.types[s][o], layout.shapes[s][o], 'c');
                    }
                    values[st.out[o]] = a;
                    bindOutput(st, o, a);
                }
                exec(st, ctx);
            }
            return true;
        }

        private Layout plan(INDArray[] values) {
            Layout layout = new Layout(steps.size());
            // free buffers by type, smallest first; a value's buffer and how many live values still read it
            Map<DataType, TreeMap<Long, ArrayDeque<INDArray>>> free = new HashMap<>();
            for (INDArray b : pool.buffers) {
                free.computeIfAbsent(b.dataType(), k -> new TreeMap<>()).computeIfAbsent(b.length(), k -> new ArrayDeque<>()).push(b);
            }
            INDArray[] bufferOf = new INDArray[names.length];
            // per buffer in use: live values reading it, bytes of the value it was taken for
            Map<INDArray, long[]> readers = new java.util.IdentityHashMap<>();
            inUse = 0;
            valueBytes = 0;
            for (int s = 0; s < steps.size(); s++) {
                Step st = steps.get(s);
                layout.outArrays[s] = new INDArray[st.out.length];
                layout.shapes[s] = new long[st.out.length][];
                layout.types[s] = new DataType[st.out.length];
                if (st.kind == IDENTITY) {
                    // SameDiff's identity hands its input through; a requested output must not be a pool view
                    INDArray b = bufferOf[st.in[0]];
                    layout.copyThrough[s] = b != null && isRequested[st.out[0]];
                    values[st.out[0]] = layout.copyThrough[s] ? values[st.in[0]].dup() : values[st.in[0]];
                    if (b != null && !isRequested[st.out[0]]) {
                        bufferOf[st.out[0]] = b;
                        readers.get(b)[0]++;
                    }
                } else {
                    OpContext ctx = context(st, values);
                    List<LongShapeDescriptor> shapes = shapesOf(st, ctx);
                    if (st.viewable && !isRequested[st.out[0]] && viewFits(values[st.in[0]], shapes.get(0))) {
                        // the reshape's values are its input's in the same order: a view holds no buffer of its own
                        // and keeps the input's buffer alive as long as it is read
                        layout.view[s] = true;
                        layout.shapes[s][0] = shapes.get(0).getShape();
                        layout.types[s][0] = shapes.get(0).dataType();
                        values[st.out[0]] = layout.view(s, values[st.in[0]]);
                        INDArray b = bufferOf[st.in[0]];
                        if (b != null) {
                            bufferOf[st.out[0]] = b;
                            readers.get(b)[0]++;
                        }
                        for (int i : st.in) {
                            if (lastUse[i] == s) {
                                drop(i, bufferOf, readers, free);
                            }
                        }
                        if (lastUse[st.out[0]] < 0) {
                            drop(st.out[0], bufferOf, readers, free);
                        }
                        continue;
                    }
                    for (int o = 0; o < st.out.length; o++) {
                        LongShapeDescriptor d = shapes.get(o);
                        DataType dt = d.dataType();
                        long[] shape = d.getShape();
                        layout.shapes[s][o] = shape;
                        layout.types[s][o] = dt;
                        INDArray a;
                        long len = d.isEmpty() ? 0 : Shape.lengthOf(shape);
                        if (isRequested[st.out[o]] || len == 0 || d.isEmpty()) {
                            a = d.isEmpty() ? Nd4j.empty(dt) : Nd4j.create(dt, shape, 'c');
                            if (d.isEmpty()) {
                                layout.outArrays[s][o] = a;    // empty arrays hold no data: one serves every call
                            }
                        } else {
                            INDArray buf = take(free, dt, len);
                            a = view(buf, len, shape);
                            layout.outArrays[s][o] = a;
                            bufferOf[st.out[o]] = buf;
                            readers.put(buf, new long[]{1, len * dt.width(), s});
                            inUse += buf.length() * dt.width();
                            valueBytes += len * dt.width();
                            peakValueBytes = Math.max(peakValueBytes, valueBytes);
                            if (inUse > peakInUse) {
                                peakInUse = inUse;
                                peakByOp = composition(readers, bufferOf);
                            }
                        }
                        values[st.out[o]] = a;
                        bindOutput(st, o, a);
                    }
                    exec(st, ctx);
                }
                // values read for the last time by this step, and outputs nobody reads, free their buffers
                for (int i : st.in) {
                    if (lastUse[i] == s) {
                        drop(i, bufferOf, readers, free);
                    }
                }
                for (int i : st.out) {
                    if (lastUse[i] < 0) {
                        drop(i, bufferOf, readers, free);
                    }
                }
            }
            return layout;
        }

        private void drop(int value, INDArray[] bufferOf, Map<INDArray, long[]> readers, Map<DataType, TreeMap<Long, ArrayDeque<INDArray>>> free) {
            INDArray b = bufferOf[value];
            if (b == null || isRequested[value]) {
                return;
            }
            bufferOf[value] = null;
            long[] r = readers.get(b);
            if (--r[0] == 0) {
                if (poisonFreedBuffers && b.dataType().isFPType()) {
                    b.assign(Double.NaN);
                }
                inUse -= b.length() * b.dataType().width();
                valueBytes -= r[1];
                free.computeIfAbsent(b.dataType(), k -> new TreeMap<>()).computeIfAbsent(b.length(), k -> new ArrayDeque<>()).push(b);
            }
        }

        private INDArray take(Map<DataType, TreeMap<Long, ArrayDeque<INDArray>>> free, DataType dt, long len) {
            TreeMap<Long, ArrayDeque<INDArray>> byLength = free.get(dt);
            if (byLength != null) {
                Map.Entry<Long, ArrayDeque<INDArray>> e = byLength.ceilingEntry(len);
                // a buffer at most twice the size needed: larger ones stay for the large values
                if (e != null && e.getKey() <= 2 * len + 1024) {
                    INDArray b = e.getValue().pop();
                    if (e.getValue().isEmpty()) {
                        byLength.remove(e.getKey());
                    }
                    return b;
                }
            }
            INDArray b = Nd4j.create(dt, new long[]{len}, 'c');
            pool.buffers.add(b);
            pool.bytes += len * dt.width();
            POOLED.addAndGet(len * dt.width());
            return b;
        }

        private Map<String, Long> composition(Map<INDArray, long[]> readers, INDArray[] bufferOf) {
            Map<String, Long> byOp = new HashMap<>();
            for (Map.Entry<INDArray, long[]> e : readers.entrySet()) {
                if (e.getValue()[0] > 0) {
                    Step producer = steps.get((int) e.getValue()[2]);
                    String op = producer.opName;
                    // a copy that only rearranges a value still held: a view of it would need no buffer
                    if (VIEW_LIKE.contains(op) && producer.in.length > 0 && bufferOf[producer.in[0]] != null) {
                        op += " (its input also held)";
                    }
                    byOp.merge(op, e.getKey().length() * e.getKey().dataType().width(), Long::sum);
                }
            }
            return byOp;
        }

    }

    /** Whether a c-order reshape of {@code in} to {@code d} is a view of the same elements in the same order. */
    private static boolean viewFits(INDArray in, LongShapeDescriptor d) {
        return in != null && !d.isEmpty() && !in.isEmpty() && in.dataType() == d.dataType() && in.length() == Shape.lengthOf(d.getShape())
                && in.ordering() == 'c' && Shape.hasDefaultStridesForShape(in);
    }

    private static INDArray view(INDArray buffer, long len, long[] shape) {
        INDArray flat = len == buffer.length() ? buffer : buffer.get(NDArrayIndex.interval(0, len));
        return flat.reshape('c', shape);
    }

    private static OpContext context(Step st, INDArray[] values) {
        if (st.ctx == null) {
            st.ctx = Nd4j.getExecutioner().buildContext();
        } else if (st.handles > MAX_HANDLES) {
            purge(st);
        }
        OpContext ctx = st.ctx;
        INDArray[] ins = new INDArray[st.in.length];
        for (int i = 0; i < ins.length; i++) {
            ins[i] = values[st.in[i]];
        }
        if (st.kind == CUSTOM) {
            DynamicCustomOp op = (DynamicCustomOp) st.fn;
            long[] i = op.iArgs();
            double[] t = op.tArgs();
            boolean[] b = op.bArgs();
            DataType[] d = op.dArgs();
            if (st.boundFn != op || !same(ins, st.boundIn) || !Arrays.equals(i, st.boundI) || !Arrays.equals(t, st.boundT)
                    || !Arrays.equals(b, st.boundB) || !Arrays.equals(d, st.boundD)) {
                ctx.setArgs(ins, i, d, t, b);
                st.handles += ins.length;
                BINDINGS.incrementAndGet();
                st.boundFn = op;
                st.boundIn = ins;
                st.boundI = i;
                st.boundT = t;
                st.boundB = b;
                st.boundD = d;
            }
        } else {
            DifferentialFunction fn = st.fn;
            boolean secondConsumed = false;
            if (fn instanceof ReduceOp && ((ReduceOp) fn).getOpType() != Op.Type.REDUCE3 && ins.length == 2) {
                INDArray axis = ins[1];
                if (axis.isEmpty()) {
                    fn.setDimensions(null);
                    ((BaseReduceOp) fn).setEmptyReduce(true);
                } else {
                    fn.setDimensions(Shape.normalizeAxis(ins[0].rank(), axis.toIntVector()));
                    ((BaseReduceOp) fn).setEmptyReduce(false);
                }
                secondConsumed = true;
            } else if (fn instanceof ScalarOp && ins.length == 2) {
                ((ScalarOp) fn).setScalar(ins[1]);
            }
            INDArray[] bind = secondConsumed ? new INDArray[]{ins[0]} : ins;
            if (!same(bind, st.boundIn)) {
                ctx.setInputArrays(bind);
                st.handles += bind.length;
                BINDINGS.incrementAndGet();
                st.boundIn = bind;
            }
        }
        return ctx;
    }

    private static void bindOutput(Step st, int o, INDArray a) {
        if (st.boundOut[o] != a) {
            st.ctx.setOutputArray(o, a);
            st.handles++;
            BINDINGS.incrementAndGet();
            st.boundOut[o] = a;
        }
    }

    /**
     * Frees what the step's context was handed and forgets what it holds, so that this call binds its inputs,
     * arguments and outputs again (every output of a call is bound after its inputs).
     */
    private static void purge(Step st) {
        st.ctx.purge();
        PURGES.incrementAndGet();
        st.handles = 0;
        st.boundFn = null;
        st.boundIn = null;
        Arrays.fill(st.boundOut, null);
    }

    /** Whether two arrays of arrays hold the very same arrays (an array's buffer and shape never change). */
    private static boolean same(INDArray[] a, INDArray[] b) {
        if (b == null || a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private static List<LongShapeDescriptor> shapesOf(Step st, OpContext ctx) {
        List<LongShapeDescriptor> shapes;
        if (st.kind == CUSTOM) {
            try {
                shapes = ((DynamicCustomOp) st.fn).calculateOutputShape(ctx);
            } catch (RuntimeException e) {
                StringBuilder b = new StringBuilder();
                for (INDArray a : ctx.getInputArrays()) {
                    b.append(a == null ? "null" : a.dataType() + Arrays.toString(a.shape()) + (a.length() < 8 ? "=" + a : "")).append(' ');
                }
                throw new IllegalStateException("op " + st.name + " (" + st.fn.opName() + ") inputs " + b + "iArgs "
                        + Arrays.toString(((DynamicCustomOp) st.fn).iArgs()) + ": " + e.getMessage(), e);
            }
            List<LongShapeDescriptor> cast = new ArrayList<>(shapes.size());
            for (int o = 0; o < shapes.size(); o++) {
                LongShapeDescriptor d = shapes.get(o);
                DataType want = st.declared[o];
                cast.add(want != null && d.dataType() != want ? d.asDataType(want) : d);
            }
            shapes = cast;
        } else {
            DifferentialFunction fn = st.fn;
            if (fn instanceof BaseReduceOp && ((BaseReduceOp) fn).isEmptyReduce()) {
                INDArray x = ctx.getInputArray(0);
                shapes = List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
            } else {
                shapes = ((org.nd4j.linalg.api.ops.BaseOp) fn).calculateOutputShape(ctx);
            }
        }
        if (shapes == null || shapes.size() != st.out.length) {
            throw new IllegalStateException("op " + st.name + " (" + st.fn.opName() + "): " + (shapes == null ? 0 : shapes.size())
                    + " output shapes for " + st.out.length + " outputs");
        }
        return shapes;
    }

    private static void exec(Step st, OpContext ctx) {
        Map<String, long[]> p = profile;
        long t0 = p == null ? 0 : System.nanoTime();
        if (st.kind == CUSTOM) {
            Nd4j.exec((CustomOp) st.fn, ctx);
        } else {
            Nd4j.exec((Op) st.fn, ctx);
        }
        if (p != null) {
            long[] c = p.computeIfAbsent(st.fn.opName(), k -> new long[2]);
            c[0]++;
            c[1] += System.nanoTime() - t0;
        }
        // as the session does: a legacy op keeps the arrays it ran on, and its next shape calculation would read them
        st.fn.clearArrays();
    }
}
