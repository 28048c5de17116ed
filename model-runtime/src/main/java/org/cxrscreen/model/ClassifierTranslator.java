package org.cxrscreen.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.imaging.Preprocessor;

/**
 * Pre- and post-processing around the classifier network: canonical grayscale image in, class
 * probabilities out. Inputs are preprocessed by the shared {@link Preprocessor} into one NCHW batch
 * built directly from floats (no NDArray operations, which ONNX Runtime's NDArrays do not have), and
 * the network's first output, the probabilities, is split per image.
 */
public final class ClassifierTranslator implements Translator<GrayImage, ClassProbabilities> {

    private final Preprocessor preprocessor;
    /** The ONNX output with the class probabilities; the first output when none is so named. */
    public static final String PROBABILITIES = "probabilities";
    /** The ONNX output of an ensemble with each member's probabilities (N x members x classes). */
    public static final String MEMBER_PROBABILITIES = "member_probabilities";

    private final List<ScreeningClass> classes;
    private final OperatingPoint operatingPoint;
    private final List<String> members;

    /**
     * @param operatingPoint the model's decision threshold, or null to label by the most probable class
     * @param members an ensemble's member names, in output order; null or empty for a single network
     */
    public ClassifierTranslator(InputSpec input, List<ScreeningClass> classes, OperatingPoint operatingPoint,
            List<String> members) {
        this.preprocessor = new Preprocessor(input);
        this.classes = List.copyOf(classes);
        this.operatingPoint = operatingPoint;
        this.members = members == null ? List.of() : List.copyOf(members);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, GrayImage input) {
        return batchProcessInput(ctx, List.of(input));
    }

    @Override
    public NDList batchProcessInput(TranslatorContext ctx, List<GrayImage> inputs) {
        InputSpec spec = preprocessor.spec();
        int length = spec.tensorLength();
        float[] batch = new float[inputs.size() * length];
        for (int i = 0; i < inputs.size(); i++) {
            preprocessor.toTensor(preprocessor.fit(inputs.get(i)), batch, i * length);
        }
        NDArray array = ctx.getNDManager().create(batch,
                new Shape(inputs.size(), spec.channels(), spec.size(), spec.size()));
        return new NDList(array);
    }

    @Override
    public ClassProbabilities processOutput(TranslatorContext ctx, NDList list) {
        return batchProcessOutput(ctx, list).get(0);
    }

    @Override
    public List<ClassProbabilities> batchProcessOutput(TranslatorContext ctx, NDList list) {
        NDArray named = list.get(PROBABILITIES);
        float[] all = (named != null ? named : list.get(0)).toFloatArray();
        int n = classes.size();
        if (all.length % n != 0) {
            throw new IllegalStateException("the network gave " + all.length + " values for " + n + " classes");
        }
        NDArray memberArray = members.isEmpty() ? null : list.get(MEMBER_PROBABILITIES);
        float[] perMember = memberArray == null ? null : memberArray.toFloatArray();
        int images = all.length / n;
        List<ClassProbabilities> out = new ArrayList<>(images);
        for (int image = 0; image < images; image++) {
            float[] p = Arrays.copyOfRange(all, image * n, (image + 1) * n);
            List<ClassProbabilities.Member> memberOutputs = new ArrayList<>();
            if (perMember != null) {
                for (int m = 0; m < members.size(); m++) {
                    int at = (image * members.size() + m) * n;
                    memberOutputs.add(new ClassProbabilities.Member(members.get(m),
                            Arrays.copyOfRange(perMember, at, at + n)));
                }
            }
            out.add(new ClassProbabilities(classes, p, operatingPoint, memberOutputs));
        }
        return out;
    }

    @Override
    public Batchifier getBatchifier() {
        // Batching is done by batchProcessInput/batchProcessOutput; a non-null batchifier makes DJL call them.
        return Batchifier.STACK;
    }
}
