package org.cxrscreen.imaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResamplerTest {

    @Test
    void aConstantImageStaysConstantWhetherShrunkOrGrown() {
        GrayImage grey = TestImages.constant(300, 200, 77);

        assertThat(Resampler.resize(grey, 97, 61).pixels()).containsOnly((byte) 77);
        assertThat(Resampler.resize(grey, 611, 403).pixels()).containsOnly((byte) 77);
    }

    @Test
    void shrinkingAveragesTheCoveredArea() {
        GrayImage checker = new GrayImage(4, 2, new byte[] {0, (byte) 200, 0, 100, (byte) 200, 0, 100, 0});

        GrayImage half = Resampler.resize(checker, 2, 1);

        assertThat(half.get(0, 0)).isEqualTo(100);
        assertThat(half.get(1, 0)).isEqualTo(50);
    }

    @Test
    void shrinkingByANonIntegerFactorCountsPartialPixels() {
        GrayImage row = new GrayImage(3, 1, new byte[] {0, (byte) 90, (byte) 180});

        GrayImage two = Resampler.resize(row, 2, 1);

        // the first output covers pixels 0 and half of 1: (0 + 45) / 1.5 = 30
        assertThat(two.get(0, 0)).isEqualTo(30);
        assertThat(two.get(1, 0)).isEqualTo(150);
    }

    @Test
    void growingInterpolatesBetweenNeighbours() {
        GrayImage row = new GrayImage(2, 1, new byte[] {0, (byte) 200});

        GrayImage four = Resampler.resize(row, 4, 1);

        assertThat(new int[] {four.get(0, 0), four.get(1, 0), four.get(2, 0), four.get(3, 0)})
                .containsExactly(0, 50, 150, 200);
    }

    @Test
    void theSameSizeReturnsTheImageUnchanged() {
        GrayImage image = TestImages.gradient(50, 40);

        assertThat(Resampler.resize(image, 50, 40)).isSameAs(image);
    }
}
