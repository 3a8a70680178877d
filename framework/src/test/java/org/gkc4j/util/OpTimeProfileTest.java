package org.gkc4j.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpTimeProfileTest {
    @TempDir
    Path dir;

    @Test
    void countsEveryExecutedOpByKindAcrossExecutions() throws Exception {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, 2, 3);
        SDVariable w = sd.constant("w", Nd4j.ones(DataType.FLOAT, 3, 4));
        SDVariable y = x.add(1.0).mmul(w).add(x.sum(1).reshape(2, 1));   // add_scalar, mmul, reduce_sum, reshape, add
        OpTimeProfile profile = new OpTimeProfile();
        sd.addListeners(profile);
        for (int i = 0; i < 3; i++) {
            sd.output(Map.of("x", Nd4j.ones(DataType.FLOAT, 2, 3)), y.name());
        }
        Path file = dir.resolve("ops.tsv");
        profile.write(file);
        List<String> lines = Files.readAllLines(file);
        assertEquals("op\tcalls\tseconds\tshare", lines.get(0));
        assertTrue(lines.get(1).startsWith("(between ops)\t-\t"), lines.get(1));
        Map<String, Integer> calls = new HashMap<>();
        double share = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            if (!f[1].equals("-")) {
                calls.put(f[0], Integer.parseInt(f[1]));
            }
            share += Double.parseDouble(f[3]);
        }
        assertEquals(Map.of("add_scalar", 3, "matmul", 3, "reduce_sum", 3, "reshape", 3, "add", 3), calls);
        assertEquals(1.0, share, 0.01, "shares add up to the whole");
    }
}
