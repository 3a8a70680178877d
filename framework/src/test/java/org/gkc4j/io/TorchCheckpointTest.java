package org.gkc4j.io;

import org.gkc4j.GkcException;
import org.gkc4j.clip.ClipConfig;
import org.gkc4j.testing.Shared;
import org.gkc4j.testing.TorchFiles;
import org.gkc4j.testing.TorchFiles.Pickle;
import org.gkc4j.testing.TorchFiles.TensorRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PyTorch zip checkpoints: the shared fixtures, hand-built layouts, and hostile files that must be refused. */
class TorchCheckpointTest {
    @TempDir
    Path dir;

    private static Path fixture(String f) {
        return Shared.require("fixtures/clip-rn-tiny-pt/" + f);
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static Set<String> clipKeys(TensorFile f) {
        return f.specs().keySet().stream().filter(k -> !ClipConfig.ignored(k)).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void torchScriptArchiveAndStateDictGiveTheSameTensors() {
        try (TensorFile jit = WeightFiles.open(fixture("clip_fp16_jit.pt")); TensorFile sd = WeightFiles.open(fixture("clip_state_dict.pt"))) {
            assertTrue(jit instanceof TorchCheckpoint j && j.torchScript());
            assertTrue(sd instanceof TorchCheckpoint s && !s.torchScript());
            assertEquals(sd.specs().keySet(), jit.specs().keySet(), "every parameter and buffer, num_batches_tracked included");
            assertEquals(141, jit.specs().size());
            assertEquals(clipKeys(sd), clipKeys(jit));
            assertTrue(jit.specs().containsKey("visual.conv1.weight") && jit.specs().containsKey("transformer.resblocks.0.attn.in_proj_weight"));
            assertFalse(jit.specs().keySet().stream().anyMatch(k -> k.endsWith("training") || k.contains("_is_full_backward_hook")));
            for (String k : sd.specs().keySet()) {
                assertArrayEquals(sd.specs().get(k).shape(), jit.specs().get(k).shape(), k);
            }
            Map<TensorDType, Long> types = jit.specs().values().stream().collect(Collectors.groupingBy(TensorFile.Spec::dtype, Collectors.counting()));
            assertEquals(Map.of(TensorDType.F16, 36L, TensorDType.F32, 86L, TensorDType.I64, 19L), types);
            assertTrue(jit.metadata().isEmpty());
        }
        try (BoundedZip zip = BoundedZip.open(fixture("clip_fp16_jit.pt"), "PyTorch checkpoint")) {
            TorchScriptDeclarations declared = TorchScriptDeclarations.read(zip, "clip_fp16_jit/");
            assertEquals(Set.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                    declared.stateNames("__torch__.torch.nn.modules.batchnorm.___torch_mangle_1.BatchNorm2d").orElseThrow());
            assertEquals(Set.of("positional_embedding", "text_projection", "logit_scale"), declared.stateNames("__torch__.clip_model.CLIP").orElseThrow());
            assertEquals(Set.of(), declared.stateNames("__torch__.clip_model.ModifiedResNet").orElseThrow());
        }
    }

    @Test
    void halfPrecisionTensorsAreTheFloatOnesRoundedToHalf() {
        try (TensorFile jit = WeightFiles.open(fixture("clip_fp16_jit.pt")); TensorFile sd = WeightFiles.open(fixture("clip_state_dict.pt"))) {
            // by hand: text_projection [64, 24] at [0,0] and [3,5], fp32 values and the fp16 bits PyTorch wrote
            INDArray half = jit.read("text_projection"), full = sd.read("text_projection");
            assertEquals(0.04133199527859688f, full.getFloat(0, 0));
            assertEquals(HalfFloats.halfToFloat((short) 0x294a), half.getFloat(0, 0));
            assertEquals(0.04132080078125f, half.getFloat(0, 0));
            assertEquals(-0.12167040258646011f, full.getFloat(3, 5));
            assertEquals(-0.12164306640625f, half.getFloat(3, 5));
            for (String k : sd.specs().keySet()) {
                INDArray a = jit.read(k), b = sd.read(k);
                if (jit.specs().get(k).dtype() == TensorDType.F16) {
                    float[] want = b.dup('c').data().asFloat();
                    for (int i = 0; i < want.length; i++) {
                        want[i] = HalfFloats.halfToFloat(HalfFloats.floatToHalf(want[i]));
                    }
                    assertArrayEquals(want, a.dup('c').data().asFloat(), k);
                } else {
                    assertEquals(b, a, k);
                }
            }
        }
    }

    @Test
    void stridedViewsOffsetsAndStorageTypesAreRebuilt() {
        byte[] six = floats(0, 1, 2, 3, 4, 5);
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.5).putDouble(-2.25);
        ByteBuffer l = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(-3);
        ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort(HalfFloats.floatToHalf(0.5f)).putShort(HalfFloats.floatToHalf(-8f));
        ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort(HalfFloats.floatToBf16(3f)).putShort(HalfFloats.floatToBf16(0.25f));
        List<TensorRecord> records = List.of(
                new TensorRecord("transposed", "FloatStorage", "0", 6, 0, new long[]{3, 2}, new long[]{1, 3}),
                new TensorRecord("row1", "FloatStorage", "0", 6, 3, new long[]{3}, new long[]{1}),
                new TensorRecord("everyOther", "FloatStorage", "0", 6, 1, new long[]{2, 1}, new long[]{2, 7}),
                new TensorRecord("scalar", "FloatStorage", "0", 6, 5, new long[]{}, new long[]{}),
                new TensorRecord("empty", "FloatStorage", "0", 6, 6, new long[]{0, 4}, new long[]{4, 1}),
                TensorRecord.contiguous("f64", "DoubleStorage", "1", new long[]{2}),
                TensorRecord.contiguous("i64", "LongStorage", "2", new long[]{2}),
                TensorRecord.contiguous("f16", "HalfStorage", "3", new long[]{2}),
                TensorRecord.contiguous("bf16", "BFloat16Storage", "4", new long[]{2}));
        Path file = dir.resolve("views.pt");
        TorchFiles.archive(file, new Pickle().proto().stateDict(records).stop(),
                Map.of("0", six, "1", d.array(), "2", l.array(), "3", h.array(), "4", bf.array()));
        try (TensorFile f = WeightFiles.open(file)) {
            assertEquals(List.of("transposed", "row1", "everyOther", "scalar", "empty", "f64", "i64", "f16", "bf16"), List.copyOf(f.specs().keySet()));
            assertEquals(Nd4j.createFromArray(new float[][]{{0, 3}, {1, 4}, {2, 5}}), f.read("transposed"));
            assertEquals(Nd4j.createFromArray(3f, 4f, 5f), f.read("row1"));
            assertEquals(Nd4j.createFromArray(new float[][]{{1}, {3}}), f.read("everyOther"));
            assertEquals(5f, f.read("scalar").getFloat(0));
            assertEquals(0, f.read("scalar").rank());
            assertArrayEquals(new long[]{0, 4}, f.read("empty").shape());
            assertEquals(Nd4j.createFromArray(1.5, -2.25), f.read("f64"));
            assertEquals(Nd4j.createFromArray(7L, -3L), f.read("i64"));
            assertEquals(Nd4j.createFromArray(0.5f, -8f), f.read("f16"));
            assertEquals(Nd4j.createFromArray(3f, 0.25f), f.read("bf16"));
        }
    }

    @Test
    void detectronCheckpointGivesTheStateDictUnderModel() {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("backbone.conv1.weight", Nd4j.arange(24).reshape(2, 3, 2, 2).castTo(DataType.FLOAT));
        t.put("logit_scale", Nd4j.scalar(2.5f));
        Path file = dir.resolve("model_final.pth");
        TorchFiles.saveStateDict(file, t, TensorDType.F32, true);
        WeightFiles.Contents c = WeightFiles.readAll(file);
        assertEquals(t, c.tensors());
        assertTrue(c.metadata().isEmpty());
    }

    @Test
    void safetensorsStillOpenAsSafetensors() {
        try (TensorFile f = WeightFiles.open(Shared.require("fixtures/clip-rn-tiny/clip.safetensors"))) {
            assertTrue(f instanceof Safetensors);
            assertEquals("4", f.metadata().get(ClipConfig.HEADS_METADATA_KEY));
        }
    }

    private Path torchScriptArchive(String name, Pickle pickle, String code) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("m/data.pkl", pickle.stop());
        entries.put("m/data/0", floats(1, 2));
        entries.put("m/constants.pkl", new Pickle().proto().emptyTuple().stop());
        if (code != null) {
            entries.put("m/code/__torch__/m.py", code.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        entries.put("m/version", new byte[]{'3', '\n'});
        Path file = dir.resolve(name);
        TorchFiles.zip(file, entries);
        return file;
    }

    private static Pickle module(Pickle p, String cls) {
        return p.global("__torch__.m", cls).emptyTuple().op(0x81).op('}').mark();
    }

    private static Pickle endModule(Pickle p) {
        return p.op('u', 'b');
    }

    @Test
    void torchScriptKeepsDeclaredParametersAndBuffersOnly() {
        TensorRecord two = TensorRecord.contiguous("", "FloatStorage", "0", new long[]{2});
        Pickle p = new Pickle().proto();
        p.global("__torch__.m", "Top").emptyTuple().op(0x81).op('q', 0).op('}').mark();
        p.str("weight").tensor(two).str("attn_mask").tensor(two).str("training").op(0x88).str("input_resolution").integer(224);
        p.str("kernel_size").global("torch.jit._pickle", "build_intlist").mark().op(']').mark().integer(3).integer(3).op('e').tuple().reduce();
        p.str("itself").op('h', 0);
        module(p.str("child"), "Child").str("bias").tensor(two);
        endModule(p);
        endModule(p);
        String code = "class Top(Module):\n  __parameters__ = [\"weight\", ]\n  __buffers__ = []\n  weight : Tensor\n"
                + "class Child(Module):\n  __parameters__ = []\n  __buffers__ = [\"bias\", ]\n";
        try (TensorFile f = WeightFiles.open(torchScriptArchive("declared.pt", p, code))) {
            assertEquals(List.of("weight", "child.bias"), List.copyOf(f.specs().keySet()), "attn_mask is no parameter; the cycle is walked once");
            assertEquals(Nd4j.createFromArray(1f, 2f), f.read("child.bias"));
        }
        try (TensorFile f = WeightFiles.open(torchScriptArchive("undeclared.pt", p, null))) {
            assertEquals(List.of("weight", "attn_mask", "child.bias"), List.copyOf(f.specs().keySet()), "without code/ every tensor attribute");
        }
    }

    @Test
    void torchScriptClassesAreNeverCalled() {
        Pickle called = new Pickle().proto().global("__torch__.m", "Top").emptyTuple().reduce();
        assertMentions(refused(torchScriptArchive("called.pt", called, null)), "'__torch__.m.Top' is not something a state dict calls");
        Pickle intlistInStateDict = new Pickle().proto().global("torch.jit._pickle", "build_intlist");
        assertMentions(refusedPickle(intlistInStateDict.stop(), Map.of()), "refused the global 'torch.jit._pickle.build_intlist'");
        Pickle withArgs = new Pickle().proto().global("__torch__.m", "Top").ints(1).op(0x81);
        assertMentions(refused(torchScriptArchive("args.pt", withArgs, null)), "only TorchScript module classes are instantiated");
        Pickle deep = new Pickle().proto();
        for (int i = 0; i < 100; i++) {
            module(deep, "M").str("sub");
        }
        module(deep, "M");
        for (int i = 0; i <= 100; i++) {
            endModule(deep);
        }
        assertMentions(refused(torchScriptArchive("deep.pt", deep, null)), "nested more than 64 deep");
    }

    @Test
    void safetensorsWhoseHeaderLengthLooksLikeAPickleStayReadable() throws Exception {
        Path file = dir.resolve("w.safetensors");
        boolean likePickle = false;
        for (int pad = 0; pad < 1000 && !likePickle; pad++) {
            Safetensors.write(file, Map.of("w", Nd4j.createFromArray(1f, 2f)), Map.of("pad", "x".repeat(pad)));
            byte[] head = Files.readAllBytes(file);
            likePickle = (head[0] & 0xff) == 0x80 && head[1] == 2;   // a header of 640 bytes starts like PROTO 2
        }
        assertTrue(likePickle);
        try (TensorFile f = WeightFiles.open(file)) {
            assertTrue(f instanceof Safetensors);
            assertEquals(Nd4j.createFromArray(1f, 2f), f.read("w"));
        }
    }

    // ---- hostile and damaged files: each one GkcException with a clear message, nothing run ----

    private GkcException refused(Path file) {
        return assertThrows(GkcException.class, () -> {
            try (TensorFile f = WeightFiles.open(file)) {
                f.readAll();
            }
        });
    }

    private GkcException refusedPickle(byte[] pickle, Map<String, byte[]> storages) {
        Path file = dir.resolve("hostile.pt");
        TorchFiles.archive(file, pickle, storages);
        GkcException e = refused(file);
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        return e;
    }

    private static void assertMentions(GkcException e, String... words) {
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
        }
    }

    @Test
    void sharedHostileArchiveIsRefusedBeforeAnythingRuns() throws Exception {
        // its data.pkl: {'visual.conv1.weight': posix.system('touch /tmp/gkc-pt-import-pwned')}
        Path hostile = fixture("hostile.pt");
        Path marker = Path.of("/tmp/gkc-pt-import-pwned");
        Files.deleteIfExists(marker);
        GkcException e = refused(hostile);
        assertMentions(e, hostile.toString(), "refused the global 'posix.system'", "nothing was executed");
        assertFalse(Files.exists(marker), "the command did not run");
    }

    @Test
    void unknownGlobalsAreRefusedByName() {
        Path marker = dir.resolve("pwned");
        byte[] eval = new Pickle().proto().op('}').str("w").global("builtins", "eval")
                .mark().str("open('" + marker + "', 'w')").tuple().reduce().op('s').stop();
        assertMentions(refusedPickle(eval, Map.of()), "refused the global 'builtins.eval'");
        byte[] stackGlobal = new Pickle().proto().str("os").str("system").op(0x93).mark().str("touch " + marker).tuple().reduce().stop();
        assertMentions(refusedPickle(stackGlobal, Map.of()), "refused the global 'os.system'");
        byte[] torchScriptClassInStateDict = new Pickle().proto().global("__torch__.evil", "Module").emptyTuple().op(0x81).stop();
        assertMentions(refusedPickle(torchScriptClassInStateDict, Map.of()), "'__torch__.evil.Module'", "only in a TorchScript archive");
        byte[] storageCalled = new Pickle().proto().global("torch", "FloatStorage").ints(4).reduce().stop();
        assertMentions(refusedPickle(storageCalled, Map.of()), "'torch.FloatStorage' is not something a state dict calls");
        assertFalse(Files.exists(marker));
    }

    @Test
    void storagesAndViewsAreCheckedAgainstTheirEntries() {
        Map<String, byte[]> four = Map.of("0", floats(1, 2, 3, 4));
        byte[] largerThanEntry = new Pickle().proto().stateDict(List.of(TensorRecord.contiguous("w", "FloatStorage", "0", new long[]{1000}))).stop();
        assertMentions(refusedPickle(largerThanEntry, four), "storage 0 of tensor 'w' claims 1000 F32 elements but its entry holds 16 bytes");
        byte[] missingEntry = new Pickle().proto().stateDict(List.of(TensorRecord.contiguous("w", "FloatStorage", "7", new long[]{4}))).stop();
        assertMentions(refusedPickle(missingEntry, four), "archive/data/7, which is missing");
        byte[] negativeSize = new Pickle().proto().stateDict(List.of(new TensorRecord("w", "FloatStorage", "0", 4, 0, new long[]{-2, 2}, new long[]{2, 1}))).stop();
        assertMentions(refusedPickle(negativeSize, four), "negative size or stride");
        byte[] negativeOffset = new Pickle().proto().stateDict(List.of(new TensorRecord("w", "FloatStorage", "0", 4, -1, new long[]{2}, new long[]{1}))).stop();
        assertMentions(refusedPickle(negativeOffset, four), "negative storage offset -1");
        byte[] overflow = new Pickle().proto().stateDict(List.of(new TensorRecord("w", "FloatStorage", "0", 4, 0,
                new long[]{4, 2}, new long[]{Long.MAX_VALUE / 2, 1}))).stop();
        assertMentions(refusedPickle(overflow, four), "stride x size overflows");
        byte[] hugeCount = new Pickle().proto().stateDict(List.of(new TensorRecord("w", "FloatStorage", "0", 4, 0,
                new long[]{1L << 40, 1L << 40}, new long[]{0, 0}))).stop();
        assertMentions(refusedPickle(hugeCount, four), "more elements than a long counts");
        byte[] beyond = new Pickle().proto().stateDict(List.of(new TensorRecord("w", "FloatStorage", "0", 4, 1, new long[]{2, 2}, new long[]{2, 1}))).stop();
        assertMentions(refusedPickle(beyond, four), "reaches element 4 of storage 0, which has 4");
        byte[] keyWithPath = new Pickle().proto().stateDict(List.of(TensorRecord.contiguous("w", "FloatStorage", "../0", new long[]{4}))).stop();
        assertMentions(refusedPickle(keyWithPath, four), "storage key that is not a short name");
    }

    @Test
    void malformedPicklesAreOneClearError() {
        byte[] memo = new Pickle().proto().op('h', 9).stop();
        assertMentions(refusedPickle(memo, Map.of()), "memo index 9 was never stored");
        byte[] underflow = new Pickle().proto().op('s').stop();
        assertMentions(refusedPickle(underflow, Map.of()), "stack underflow");
        assertMentions(refusedPickle(new Pickle().proto().stop(), Map.of()), "stack underflow");
        Pickle marks = new Pickle().proto();
        for (int i = 0; i < 100_000; i++) {
            marks.mark();
        }
        assertMentions(refusedPickle(marks.stop(), Map.of()), "nested MARKs", "nesting bomb");
        Pickle dups = new Pickle().proto().op(']');
        for (int i = 0; i < RestrictedUnpickler.MAX_VALUES + 10; i++) {
            dups.op('2');
        }
        assertMentions(refusedPickle(dups.stop(), Map.of()), "more than " + RestrictedUnpickler.MAX_VALUES + " values");
        Pickle deep = new Pickle().proto().emptyTuple();
        for (int i = 0; i < 100_000; i++) {
            deep.op(0x85);
        }
        assertMentions(refusedPickle(deep.stop(), Map.of()), "holds a tuple, not a state dict");
        byte[] inst = new Pickle().proto().op('i').stop();
        assertMentions(refusedPickle(inst, Map.of()), "opcode 0x69 is not supported");
        byte[] cyclicKey = new Pickle().proto().op('}').op(']', 'q', 0, 'h', 0, 'a').integer(1).op('s').stop();
        assertMentions(refusedPickle(cyclicKey, Map.of()), "a dict key of type list");
        byte[] longString = new Pickle().proto().op('X', 0xff, 0xff, 0xff, 0x7f).stop();
        assertMentions(refusedPickle(longString, Map.of()), "truncated");
    }

    @Test
    void truncatedPickleIsNamed() throws Exception {
        byte[] whole;
        try (BoundedZip z = BoundedZip.open(fixture("clip_state_dict.pt"), "PyTorch checkpoint")) {
            whole = z.read("clip_state_dict/data.pkl", 1 << 20);
        }
        GkcException e = refusedPickle(java.util.Arrays.copyOf(whole, whole.length / 2), Map.of());
        assertMentions(e, "truncated");
        GkcException noStop = refusedPickle(java.util.Arrays.copyOf(whole, whole.length - 1), Map.of());
        assertMentions(noStop, "ends without STOP");
    }

    @Test
    void filesThatAreNotZipCheckpointsSayWhatTheyAre() throws Exception {
        Path legacy = dir.resolve("legacy.pt");
        Files.write(legacy, new byte[]{(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e});
        assertMentions(refused(legacy), legacy.toString(), "legacy", "re-save it with a recent PyTorch", "convert it to safetensors");
        Path text = dir.resolve("notes.pt");
        Files.writeString(text, "these are not weights");
        assertMentions(refused(text), text.toString(), "neither a PyTorch zip checkpoint nor a safetensors file");
        Path empty = dir.resolve("empty.pth");
        Files.write(empty, new byte[0]);
        assertMentions(refused(empty), empty + " is empty");
        Path otherZip = dir.resolve("other.pt");
        TorchFiles.zip(otherZip, Map.of("readme.txt", new byte[]{1, 2}));
        assertMentions(refused(otherZip), "a zip archive but not a PyTorch checkpoint");
        Path cutZip = dir.resolve("cut.pt");
        byte[] whole = Files.readAllBytes(fixture("clip_state_dict.pt"));
        Files.write(cutZip, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertMentions(refused(cutZip), "damaged PyTorch checkpoint", "not a readable zip archive");
        assertMentions(refused(dir.resolve("absent.pt")), "weights file not found");
    }

    @Test
    void zipEntriesDeclaringHugeSizesAreRefused() throws Exception {
        Path file = dir.resolve("huge.pt");
        byte[] pickle = new Pickle().proto().stateDict(List.of(TensorRecord.contiguous("w", "FloatStorage", "0", new long[]{4}))).stop();
        TorchFiles.archive(file, pickle, Map.of("0", floats(1, 2, 3, 4)));
        byte[] zip = Files.readAllBytes(file);
        // the central directory record of archive/data/0: sizes at +20 (compressed) and +24 (uncompressed)
        int cen = indexOf(zip, "PK\u0001\u0002", indexOf(zip, "PK\u0001\u0002", 0) + 4);
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(cen + 20, 0x7ff00000).putInt(cen + 24, 0x7ff00000);
        Files.write(file, zip);
        GkcException e = refused(file);
        assertMentions(e, file.toString());
        assertTrue(e.getMessage().contains("declares") || e.getMessage().contains("not a readable zip archive"), e.getMessage());
    }

    private static int indexOf(byte[] hay, String needle, int from) {
        byte[] n = needle.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        outer:
        for (int i = from; i <= hay.length - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (hay[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found: " + needle);
    }
}
