package org.cxrscreen.imaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PreprocessorTest {

    private final Preprocessor preprocessor = new Preprocessor(InputSpec.DEFAULT);

    @Test
    void theShorterSideBecomes224AndTheLongerIsCentreCropped() {
        byte[] pixels = new byte[448 * 896];
        for (int y = 0; y < 896; y++) {
            for (int x = 0; x < 448; x++) {
                // the top and bottom quarters are white, the middle half black
                pixels[y * 448 + x] = (byte) (y < 224 || y >= 672 ? 255 : 0);
            }
        }

        GrayImage fitted = preprocessor.fit(new GrayImage(448, 896, pixels));

        assertThat(fitted.width()).isEqualTo(224);
        assertThat(fitted.height()).isEqualTo(224);
        assertThat(fitted.pixels()).containsOnly((byte) 0);
    }

    @Test
    void samplesAreScaledAndNormalisedPerChannel() {
        GrayImage white = TestImages.constant(224, 224, 255);
        GrayImage black = TestImages.constant(224, 224, 0);
        float[] mean = InputSpec.DEFAULT.mean();
        float[] std = InputSpec.DEFAULT.std();
        int plane = 224 * 224;

        float[] whiteTensor = preprocessor.preprocess(white);
        float[] blackTensor = preprocessor.preprocess(black);

        assertThat(whiteTensor).hasSize(3 * plane);
        for (int c = 0; c < 3; c++) {
            assertThat(whiteTensor[c * plane + 17]).isCloseTo((1 - mean[c]) / std[c], within(1e-5f));
            assertThat(blackTensor[c * plane + 17]).isCloseTo(-mean[c] / std[c], within(1e-5f));
        }
    }

    @Test
    void everyChannelCarriesTheSameImage() {
        float[] tensor = preprocessor.preprocess(TestImages.gradient(500, 400));
        float[] mean = InputSpec.DEFAULT.mean();
        float[] std = InputSpec.DEFAULT.std();
        int plane = 224 * 224;

        for (int i = 0; i < plane; i += 997) {
            float red = tensor[i] * std[0] + mean[0];
            float blue = tensor[2 * plane + i] * std[2] + mean[2];
            assertThat(blue).isCloseTo(red, within(1e-5f));
        }
    }

    @Test
    void fitThenToTensorIsPreprocess() {
        GrayImage image = TestImages.gradient(640, 512);

        assertThat(preprocessor.toTensor(preprocessor.fit(image))).isEqualTo(preprocessor.preprocess(image));
    }
}
