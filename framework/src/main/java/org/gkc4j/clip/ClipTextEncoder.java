package org.gkc4j.clip;

import org.gkc4j.nn.exec.GraphExecution;
import org.gkc4j.nn.GraphContext;
import org.gkc4j.nn.fix.OpFixes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Frozen CLIP text tower for inference: token ids or texts in, text features [N, E] (not normalised) out. */
public final class ClipTextEncoder {
    private final ClipWeights weights;
    private final ClipTokenizer tokenizer;
    private final int batch;
    private final DataType dtype;
    private final Map<Integer, Graph> graphs = new HashMap<>();

    private record Graph(GraphContext ctx, String ids, String out) {
    }

    public ClipTextEncoder(ClipWeights weights, ClipTokenizer tokenizer, int batch) {
        this(weights, tokenizer, batch, DataType.FLOAT);
    }

    /** {@code dtype} is the graph's floating type: FLOAT for use, DOUBLE for parity with float64 references. */
    public ClipTextEncoder(ClipWeights weights, ClipTokenizer tokenizer, int batch, DataType dtype) {
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.batch = batch;
        this.dtype = dtype;
        if (tokenizer != null && tokenizer.vocabSize() != weights.config().vocabSize()) {
            throw org.gkc4j.GkcException.of("the tokenizer has %d tokens but the text tower embeds %d", tokenizer.vocabSize(), weights.config().vocabSize());
        }
    }

    private Graph graph(int n) {
        return graphs.computeIfAbsent(n, size -> {
            OpFixes.install();
            GraphContext ctx = GraphContext.builder().dtype(dtype).weights(weights.tensors()).trainable(k -> false).build();
            SDVariable ids = ctx.sd().placeHolder("input_ids", DataType.INT, size, weights.config().contextLength());
            SDVariable out = new TextTransformer(ctx.root(), weights.config()).forward(ids);
            return new Graph(ctx, ids.name(), out.name());
        });
    }

    /** ids int [N, context] to features [N, E]. */
    public INDArray encodeIds(INDArray ids) {
        long n = ids.size(0);
        int b = (int) Math.min(batch, Math.max(1, n));
        INDArray out = null;
        for (long start = 0; start < n; start += b) {
            long end = Math.min(n, start + b);
            INDArray chunk = ids.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).castTo(DataType.INT);
            if (end - start < b) {
                // pad the last chunk with copies of its first row so one graph serves every chunk
                INDArray padded = Nd4j.create(DataType.INT, b, ids.size(1));
                for (int i = 0; i < b; i++) {
                    padded.putRow(i, chunk.getRow(Math.min(i, end - start - 1)));
                }
                chunk = padded;
            }
            Graph g = graph(b);
            INDArray f = GraphExecution.output(g.ctx().sd(), Map.of(g.ids(), chunk), g.out()).get(g.out());
            if (out == null) {
                out = Nd4j.create(dtype, n, f.size(1));
            }
            out.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(f.get(NDArrayIndex.interval(0, end - start), NDArrayIndex.all()));
        }
        return out == null ? Nd4j.create(dtype, 0, weights.config().embedDim()) : out;
    }

    public INDArray encode(List<String> texts) {
        if (tokenizer == null) {
            throw new IllegalStateException("no tokenizer given");
        }
        return encodeIds(tokenizer.tokenize(texts, weights.config().contextLength()));
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipWeights weights() {
        return weights;
    }
}
