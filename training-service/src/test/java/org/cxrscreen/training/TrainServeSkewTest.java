package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslatorContext;
import java.nio.file.Path;
import java.util.List;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.ClassifierTranslator;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.training.data.FittedImages;
import org.junit.jupiter.api.Test;

/**
 * Train/serve skew: the same real image through the training path (file, decode, canonical, fit,
 * tensor) and the serving path (the ingest's canonical PNG as the images topic carries it, decoded by
 * the consumer, through the inference translator) must give identical tensors, bit for bit.
 */
class TrainServeSkewTest {

    @Test
    void trainingAndServingSeeTheSameTensors() throws Exception {
        InputSpec spec = InputSpec.DEFAULT;
        Preprocessor preprocessor = new Preprocessor(spec);
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        ClassifierTranslator translator = new ClassifierTranslator(spec, List.of(ScreeningClass.values()), null, null);

        for (ScreeningClass c : ScreeningClass.values()) {
            for (Path file : SharedData.images(c, 3)) {
                byte[] original = SharedData.read(file);

                float[] training = preprocessor.toTensor(FittedImages.fit(original, preprocessor, decoder));

                byte[] onTheTopic = CanonicalImages.encodePng(CanonicalImages.fromEncoded(original, decoder));
                GrayImage consumed = CanonicalImages.decodePng(onTheTopic);
                float[] serving;
                try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "OnnxRuntime")) {
                    NDList input = translator.processInput(new Context(manager), consumed);
                    assertThat(input.singletonOrThrow().getShape().getShape()).containsExactly(1, 3, 224, 224);
                    serving = input.singletonOrThrow().toFloatArray();
                }

                assertThat(serving).as(file.toString()).isEqualTo(training);
            }
        }
    }

    /** The part of a translator context the classifier translator uses: its NDManager. */
    private record Context(NDManager manager) implements TranslatorContext {
        @Override
        public NDManager getNDManager() {
            return manager;
        }

        @Override
        public NDManager getPredictorManager() {
            return manager;
        }

        @Override
        public ai.djl.Model getModel() {
            return null;
        }

        @Override
        public ai.djl.metric.Metrics getMetrics() {
            return null;
        }

        @Override
        public ai.djl.nn.Block getBlock() {
            return null;
        }

        @Override
        public Object getAttachment(String key) {
            return null;
        }

        @Override
        public void setAttachment(String key, Object value) {
        }

        @Override
        public void close() {
        }
    }
}
