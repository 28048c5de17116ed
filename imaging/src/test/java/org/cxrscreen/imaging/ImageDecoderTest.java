package org.cxrscreen.imaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.ImageRejectedException.Reason;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.testsupport.SyntheticImages;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);

    @Test
    void aRealJpegIsDecodedToTheLumaOfItsRawSamples() throws IOException {
        Path file = SharedData.images(ScreeningClass.COVID19, 1).get(0);
        byte[] data = SharedData.read(file);

        DecodedImage decoded = decoder.decode(data);

        BufferedImage reference = ImageIO.read(new ByteArrayInputStream(data));
        Raster raster = reference.getRaster();
        assertThat(decoded.format()).isEqualTo(ImageFormat.JPEG);
        assertThat(decoded.image().width()).isEqualTo(reference.getWidth());
        for (int[] p : new int[][] {{0, 0}, {100, 120}, {223, 223}, {57, 180}}) {
            int r = raster.getSample(p[0], p[1], 0);
            int g = raster.getSample(p[0], p[1], raster.getNumBands() > 1 ? 1 : 0);
            int b = raster.getSample(p[0], p[1], raster.getNumBands() > 2 ? 2 : 0);
            assertThat(decoded.image().get(p[0], p[1])).isEqualTo(ImageDecoder.luma(r, g, b));
        }
    }

    @Test
    void grayscaleSamplesAreReadAsTheyAreWithoutGammaConversion() {
        byte[] pixels = new byte[64 * 64];
        Arrays.fill(pixels, (byte) 20);
        pixels[5] = (byte) 200;
        byte[] png = CanonicalImages.encodePng(new GrayImage(64, 64, pixels));

        GrayImage back = decoder.decode(png).image();

        assertThat(back.get(0, 0)).isEqualTo(20);
        assertThat(back.get(5, 0)).isEqualTo(200);
        assertThat(back.pixels()).isEqualTo(pixels);
    }

    @Test
    void sixteenBitGrayIsScaledLinearlyTo8Bits() {
        BufferedImage image = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSamples(0, 0, 4, 1, 0, new int[] {0, 0x8080, 0x2000, 65535});

        GrayImage gray = decoder.decode(TestImages.encode(image, "png")).image();

        assertThat(new int[] {gray.get(0, 0), gray.get(1, 0), gray.get(2, 0), gray.get(3, 0)})
                .containsExactly(0, 128, 32, 255);
    }

    @Test
    void rgbAndPaletteImagesBecomeTheirLuma() {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
        rgb.getRaster().setPixel(0, 0, new int[] {255, 0, 0});
        rgb.getRaster().setPixel(1, 0, new int[] {10, 200, 30});
        GrayImage fromRgb = decoder.decode(TestImages.encode(rgb, "png")).image();
        assertThat(fromRgb.get(0, 0)).isEqualTo(ImageDecoder.luma(255, 0, 0));
        assertThat(fromRgb.get(1, 0)).isEqualTo(ImageDecoder.luma(10, 200, 30));

        byte[] reds = {0, (byte) 250};
        byte[] greens = {0, 40};
        byte[] blues = {0, 90};
        BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 2, reds, greens, blues));
        indexed.getRaster().setSample(1, 0, 0, 1);
        GrayImage fromPalette = decoder.decode(TestImages.encode(indexed, "png")).image();
        assertThat(fromPalette.get(0, 0)).isZero();
        assertThat(fromPalette.get(1, 0)).isEqualTo(ImageDecoder.luma(250, 40, 90));
    }

    @Test
    void emptyInputIsRefused() {
        assertRejected(new byte[0], Reason.EMPTY, "empty");
    }

    @Test
    void aNonImageIsRefusedNamingWhatIsAccepted() {
        ImageRejectedException e = assertRejected("%PDF-1.7 not an image".getBytes(), Reason.UNSUPPORTED_FORMAT,
                "not a PNG or JPEG");
        assertThat(e).hasMessageContaining("25 50 44 46").hasMessageContaining("Accepted: PNG or JPEG");
    }

    @Test
    void aTruncatedRealJpegIsRefused() {
        byte[] data = SharedData.read(SharedData.images(ScreeningClass.NORMAL, 1).get(0));

        assertRejected(Arrays.copyOf(data, data.length / 2), Reason.CORRUPT, "truncated");
    }

    @Test
    void aJpegWithCorruptScanDataIsRefused() {
        byte[] data = SharedData.read(SharedData.images(ScreeningClass.NORMAL, 1).get(0)).clone();
        for (int i = data.length / 2; i < data.length / 2 + 64; i++) {
            data[i] = (byte) 0xFF;
        }
        data[data.length / 2 + 64] = (byte) 0xD0;

        assertRejected(data, Reason.CORRUPT, "corrupt");
    }

    @Test
    void aTruncatedPngIsRefused() {
        byte[] png = CanonicalImages.encodePng(TestImages.gradient(300, 200));

        assertRejected(Arrays.copyOf(png, png.length * 2 / 3), Reason.CORRUPT, "PNG");
    }

    @Test
    void aPngWithCorruptDataIsRefused() {
        byte[] png = CanonicalImages.encodePng(TestImages.gradient(300, 200)).clone();
        for (int i = 60; i < png.length - 20; i += 7) {
            png[i] ^= 0x5A;
        }

        assertRejected(png, Reason.CORRUPT, "PNG");
    }

    @Test
    void inputOverTheByteLimitIsRefusedBeforeDecoding() {
        ImageDecoder small = new ImageDecoder(new ImageLimits(1024, 36_000_000L, 12_000));

        ImageRejectedException e = assertThrows(small, new byte[2048]);

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e).hasMessageContaining("2048 bytes").hasMessageContaining("at most 1024 bytes");
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeader() {
        byte[] bomb = SyntheticImages.pngClaiming(100_000, 100_000);
        assertThat(bomb.length).isLessThan(100);

        assertRejected(bomb, Reason.TOO_MANY_PIXELS, "100000x100000");
    }

    @Test
    void anImageWithinPixelsButTooLongASideIsRefused() {
        assertRejected(SyntheticImages.pngClaiming(20_000, 10), Reason.TOO_MANY_PIXELS, "20000x10");
    }

    private ImageRejectedException assertRejected(byte[] data, Reason reason, String text) {
        ImageRejectedException e = assertThrows(decoder, data);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e).hasMessageContaining(text);
        return e;
    }

    private static ImageRejectedException assertThrows(ImageDecoder decoder, byte[] data) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> decoder.decode(data));
        assertThat(thrown).isInstanceOf(ImageRejectedException.class);
        return (ImageRejectedException) thrown;
    }
}
