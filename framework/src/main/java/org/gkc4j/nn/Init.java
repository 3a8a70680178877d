package org.gkc4j.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/** Parameter initialisers with PyTorch's conventions for fan-in and fan-out (dim 1 and dim 0 times receptive field). */
@FunctionalInterface
public interface Init {
    double sample(long[] shape, long index, SplittableRandom rng);

    default INDArray create(long[] shape, DataType type, SplittableRandom rng) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = sample(shape, i, rng);
        }
        INDArray arr = shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, shape, 'c');
        return arr.castTo(type);
    }

    static Init zeros() {
        return (s, i, r) -> 0.0;
    }

    static Init ones() {
        return (s, i, r) -> 1.0;
    }

    static Init constant(double c) {
        return (s, i, r) -> c;
    }

    static Init uniform(double bound) {
        return (s, i, r) -> (r.nextDouble() * 2 - 1) * bound;
    }

    static Init normal(double std) {
        return (s, i, r) -> gaussian(r) * std;
    }

    /** PyTorch's default for Linear and Conv weights: kaiming_uniform(a=sqrt(5)) = U(+-1/sqrt(fan_in)). */
    static Init torchDefault() {
        return (s, i, r) -> (r.nextDouble() * 2 - 1) / Math.sqrt(fanIn(s));
    }

    /** PyTorch's default for a bias whose layer has {@code fanIn} inputs. */
    static Init torchBias(long fanIn) {
        return uniform(1.0 / Math.sqrt(fanIn));
    }

    static Init xavierUniform(double gain) {
        return (s, i, r) -> (r.nextDouble() * 2 - 1) * gain * Math.sqrt(6.0 / (fanIn(s) + fanOut(s)));
    }

    /** detectron2's c2_xavier_fill: kaiming_uniform(a=1), i.e. U(+-sqrt(3/fan_in)). */
    static Init c2Xavier() {
        return (s, i, r) -> (r.nextDouble() * 2 - 1) * Math.sqrt(3.0 / fanIn(s));
    }

    static long receptive(long[] s) {
        long r = 1;
        for (int k = 2; k < s.length; k++) {
            r *= s[k];
        }
        return r;
    }

    static long fanIn(long[] s) {
        return s.length < 2 ? s[0] : s[1] * receptive(s);
    }

    static long fanOut(long[] s) {
        return s[0] * receptive(s);
    }

    static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
