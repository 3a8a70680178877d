package org.gkc4j.experiments.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The doctor's forward checks: the stored float64 outputs belong to the weights and input the doctor generates, the
 * network matches them here in DOUBLE and FLOAT, and a small change of one weight is caught.
 */
class DoctorNetworkTest {
    @Test
    void storedOutputsBelongToTheGeneratedWeightsAndInput() throws Exception {
        JsonNode meta = new ObjectMapper().readTree(DoctorNetwork.referenceMeta());
        assertEquals(meta.path("weights_and_inputs_digest").asText(), DoctorNetwork.digest(),
                "the generated weights or input changed: rerun DoctorNetworkExport and authors_network_reference.py --network-dir");
        assertTrue(meta.path("produced_by").asText().contains("authors_network_reference.py"), meta.toString());
    }

    @Test
    void generationIsRepeatable() {
        assertEquals(DoctorNetwork.digest(), DoctorNetwork.digest());
    }

    @Test
    void bothPrecisionsMatchTheAuthorsFloat64Run() {
        List<SelfChecks.Outcome> outcomes = SelfChecks.forward();
        assertEquals(2, outcomes.size());
        outcomes.forEach(o -> System.out.println(o.name() + ": " + o.detail()));
        assertTrue(outcomes.stream().allMatch(SelfChecks.Outcome::passed), outcomes.toString());
    }

    @Test
    void aSmallChangeOfOneDecoderWeightFailsTheDoubleCheck() {
        Map<String, INDArray> w = new LinkedHashMap<>(DoctorNetwork.weights());
        String key = w.keySet().stream().filter(k -> k.startsWith("sem_seg_head.predictor.transformer_self_attention_layers.0")
                && k.endsWith("weight") && w.get(k).rank() == 2).findFirst().orElseThrow();
        INDArray changed = w.get(key).dup();
        changed.putScalar(0, changed.getDouble(0) + 1e-4);
        w.put(key, changed);
        List<SelfChecks.Outcome> outcomes = SelfChecks.forward(w);
        assertFalse(outcomes.get(0).passed(), key + " changed by 1e-4 and the DOUBLE check still passed: " + outcomes.get(0).detail());
    }
}
