package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import java.nio.file.Path;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.ml.Architecture;
import org.cxrscreen.training.ml.Network;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every architecture's ONNX export computes what its PyTorch network computes, on real images. */
class ArchitectureExportTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void theExportedGraphMatchesThePyTorchNetwork(Architecture architecture) throws Exception {
        InputSpec input = InputSpec.DEFAULT;
        Preprocessor preprocessor = new Preprocessor(input);
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        int n = 3;
        float[] batch = new float[n * input.tensorLength()];
        for (int i = 0; i < n; i++) {
            Path file = SharedData.images(ScreeningClass.values()[i], 1).get(0);
            preprocessor.toTensor(FittedImages.fit(SharedData.read(file), preprocessor, decoder), batch,
                    i * input.tensorLength());
        }
        Shape shape = new Shape(n, input.channels(), input.size(), input.size());
        Path onnx = dir.resolve("model.onnx");

        float[] pytorch;
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Network network = new Network(architecture.layers(3));
            network.block().initialize(manager, DataType.FLOAT32, new Shape(1, input.channels(), input.size(),
                    input.size()));
            pytorch = network.block().forward(new ParameterStore(manager, false),
                    new NDList(manager.create(batch, shape)), false).singletonOrThrow().toFloatArray();
            network.exportOnnx(onnx, input, 3, "test");
        }

        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optEngine(OnnxClassifier.ENGINE).optModelPath(onnx).optTranslator(new NoopTranslator(null)).build();
        float[] ort;
        try (ZooModel<NDList, NDList> model = criteria.loadModel();
                Predictor<NDList, NDList> predictor = model.newPredictor()) {
            ort = predictor.predict(new NDList(model.getNDManager().create(batch, shape))).get(1).toFloatArray();
        }

        assertThat(ort).hasSameSizeAs(pytorch);
        float scale = 1f;
        for (float v : pytorch) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < ort.length; i++) {
            assertThat(ort[i]).as("logit %d of %s", i, architecture.id()).isCloseTo(pytorch[i], within(1e-4f * scale));
        }
    }
}
