package org.gkc4j.cli;

import org.gkc4j.experiments.Provenance;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gkc doctor} on this machine: every line present, every check passes, exit 0; provenance names the backend. */
class DoctorCommandTest {
    @Test
    void doctorPrintsEveryLineAndPassesHere() {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = GkcMain.execute(new String[]{"doctor"}, new PrintWriter(o, true), new PrintWriter(e, true));
        String out = o.toString();
        assertEquals(0, code, out + e);
        List<String> lines = out.lines().toList();
        for (String topic : List.of("java", "os", "maven", "backend", "native", "device", "memory", "executor")) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("info\\s+" + topic + "\\s+\\S.*")), "no info line for " + topic + ":\n" + out);
        }
        for (String topic : List.of("classpath", "op fixes")) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("ok\\s+" + topic + "\\s+\\S.*")), "no ok line for " + topic + ":\n" + out);
        }
        assertEquals(4, lines.stream().filter(l -> l.matches("ok\\s+gradient\\s+.*")).count(), out);
        assertEquals(2, lines.stream().filter(l -> l.matches("ok\\s+forward\\s+tiny GKC network in (DOUBLE|FLOAT) against the authors.*")).count(), out);
        String executor = org.gkc4j.nn.exec.GraphExecution.selected().name().toLowerCase();
        assertTrue(lines.stream().anyMatch(l -> l.matches("info\\s+executor\\s+graphs run on " + executor + " \\(.*")), out);
        assertFalse(out.contains("fail "), out);
        assertFalse(out.contains("Added differentiated op"), "the gradient graphs' op listing leaked:\n" + out);
        assertTrue(lines.get(lines.size() - 1).matches("doctor: all 8 checks passed"), out);
    }

    @Test
    void provenanceRecordsTheBackendThatRan() {
        Map<String, Object> p = Provenance.collect();
        assertEquals(org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"), p.get("backend"));
        assertTrue(p.get("devices") instanceof List<?> d && !d.isEmpty(), String.valueOf(p));
        assertEquals("1.0.0-M2.1", p.get("nd4j"));
    }
}
