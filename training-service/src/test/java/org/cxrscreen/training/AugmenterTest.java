package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.Set;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.training.data.Augmentation;
import org.cxrscreen.training.data.Augmenter;
import org.junit.jupiter.api.Test;

class AugmenterTest {

    @Test
    void nothingIsChangedByDefault() {
        assertThat(new Augmenter(Augmentation.parse("none")).enabled()).isFalse();
    }

    @Test
    void rotationKeepsTheCentreAndFillsCornersWithBlack() {
        byte[] pixels = new byte[64 * 64];
        java.util.Arrays.fill(pixels, (byte) 200);
        GrayImage grey = new GrayImage(64, 64, pixels);
        Augmenter rotate = new Augmenter(Set.of(Augmentation.ROTATE));

        GrayImage rotated = rotate.apply(grey, new Random(3));

        assertThat(rotated.get(32, 32)).isEqualTo(200);
        assertThat(java.util.stream.IntStream.of(rotated.get(0, 0), rotated.get(63, 0), rotated.get(0, 63),
                rotated.get(63, 63)).min().getAsInt()).isLessThan(200);
    }

    @Test
    void flippingMirrorsAndTheSameSeedGivesTheSameImages() {
        GrayImage ramp = new GrayImage(3, 1, new byte[] {10, 20, 30});
        Augmenter flip = new Augmenter(Set.of(Augmentation.FLIP));
        Random random = new Random(11);
        GrayImage first = flip.apply(ramp, random);
        GrayImage second = flip.apply(ramp, random);
        GrayImage flipped = first.get(0, 0) == 30 ? first : second;

        assertThat(new int[] {flipped.get(0, 0), flipped.get(1, 0), flipped.get(2, 0)}).containsExactly(30, 20, 10);
        assertThat(flip.apply(ramp, new Random(11))).isEqualTo(first);
    }

    @Test
    void brightnessAndContrastStayWithinTwentyPercent() {
        byte[] pixels = new byte[100];
        for (int i = 0; i < 100; i++) {
            pixels[i] = (byte) (50 + i);
        }
        GrayImage image = new GrayImage(10, 10, pixels);
        Augmenter jitter = new Augmenter(Augmentation.parse("brightness-contrast"));

        for (int seed = 0; seed < 20; seed++) {
            GrayImage out = jitter.apply(image, new Random(seed));
            double mean = 0;
            for (byte b : out.pixels()) {
                mean += b & 0xFF;
            }
            mean /= 100;
            assertThat(mean).isBetween(99.5 * 0.8 - 1, 99.5 * 1.2 + 1);
        }
    }
}
