package org.cxrscreen.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageLimits;
import org.junit.jupiter.api.Test;

/**
 * The decoding rules on small constructed images, against values worked out by hand from PS3.3
 * (modality rescale, VOI window and LUT, pixel range, MONOCHROME1, RGB).
 */
class PixelDecoderTest {

    private final PixelDecoder decoder = new PixelDecoder(ImageLimits.DEFAULT);

    @Test
    void eightBitWithoutWindowUsesThePixelRange() {
        GrayImage image = decode(mono("MONOCHROME2", 8, 8, false, bytes8(10, 20, 30, 40)));
        // (v - 10) * 255 / 30
        assertThat(samples(image)).containsExactly(0, 85, 170, 255);
    }

    @Test
    void monochrome1IsInverted() {
        GrayImage image = decode(mono("MONOCHROME1", 8, 8, false, bytes8(10, 20, 30, 40)));
        assertThat(samples(image)).containsExactly(255, 170, 85, 0);
    }

    @Test
    void sixteenBitSignedRescaledThenTheFirstOfSeveralWindows() {
        DicomWriter w = header("MONOCHROME2", 16, 16, true)
                .string(Tags.WINDOW_CENTER, "DS", "0\\500")
                .string(Tags.WINDOW_WIDTH, "DS", "1001\\20")
                .string(Tags.RESCALE_INTERCEPT, "DS", "-1000")
                .string(Tags.RESCALE_SLOPE, "DS", "2")
                .element(Tags.PIXEL_DATA, "OW", bytes16(-100, 250, 500, 1000));
        GrayImage image = decode(w);
        // x = 2v - 1000: -1200, -500, 0, 1000; LINEAR window c=0 w=1001:
        // x <= -500.5 -> 0; x > 499.5 -> 255; else ((x + 0.5) / 1000 + 0.5) * 255
        assertThat(samples(image)).containsExactly(0, 0, (int) Math.round((0.5 / 1000 + 0.5) * 255), 255);
    }

    @Test
    void twelveBitStoredInSixteenWithHighBitsMasked() {
        // bits stored 12, high bit 11: the top four bits are not part of the value
        DicomWriter w = header("MONOCHROME2", 16, 12, false)
                .element(Tags.PIXEL_DATA, "OW", bytes16(0xF000, 0xF000 | 4095, 0x1000 | 2048, 1024));
        GrayImage image = decode(w);
        // values 0, 4095, 2048, 1024 over the range 0..4095
        assertThat(samples(image)).containsExactly(0, 255, (int) Math.round(2048 * 255.0 / 4095),
                (int) Math.round(1024 * 255.0 / 4095));
    }

    @Test
    void aVoiLutWinsOverTheWindow() {
        DicomWriter item = new DicomWriter(true)
                .uint16(Tags.LUT_DESCRIPTOR, 4, 100, 12)
                .element(Tags.LUT_DATA, "OW", bytes16(0, 1000, 2000, 4095));
        DicomWriter w = header("MONOCHROME2", 16, 16, false)
                .string(Tags.WINDOW_CENTER, "DS", "50")
                .string(Tags.WINDOW_WIDTH, "DS", "10")
                .sequence(Tags.VOI_LUT_SEQUENCE, item.toByteArray())
                .element(Tags.PIXEL_DATA, "OW", bytes16(50, 101, 102, 200));
        GrayImage image = decode(w);
        // below the first entry -> entry 0; 101 -> entry 1; 102 -> entry 2; past the end -> last; out of 12 bits
        assertThat(samples(image)).containsExactly(0, (int) Math.round(1000 * 255.0 / 4095),
                (int) Math.round(2000 * 255.0 / 4095), 255);
    }

    @Test
    void sigmoidWindow() {
        DicomWriter w = header("MONOCHROME2", 8, 8, false)
                .string(Tags.WINDOW_CENTER, "DS", "100")
                .string(Tags.WINDOW_WIDTH, "DS", "40")
                .string(Tags.VOI_LUT_FUNCTION, "CS", "SIGMOID")
                .element(Tags.PIXEL_DATA, "OB", bytes8(60, 100, 120, 140));
        GrayImage image = decode(w);
        // 255 / (1 + exp(-4 (x - 100) / 40)): 4.59, 127.5, 224.6, 250.4
        assertThat(samples(image)).containsExactly(5, 128, 225, 250);
    }

    @Test
    void rgbBecomesLuma() {
        DicomWriter w = new DicomWriter(true)
                .uint16(Tags.SAMPLES_PER_PIXEL, 3)
                .string(Tags.PHOTOMETRIC_INTERPRETATION, "CS", "RGB")
                .uint16(Tags.PLANAR_CONFIGURATION, 0)
                .uint16(Tags.ROWS, 1)
                .uint16(Tags.COLUMNS, 2)
                .uint16(Tags.BITS_ALLOCATED, 8)
                .uint16(Tags.BITS_STORED, 8)
                .uint16(Tags.HIGH_BIT, 7)
                .uint16(Tags.PIXEL_REPRESENTATION, 0)
                .element(Tags.PIXEL_DATA, "OB", bytes8(255, 0, 0, 10, 200, 30));
        GrayImage image = decode(w);
        assertThat(image.width()).isEqualTo(2);
        // BT.601: 0.299 R + 0.587 G + 0.114 B, rounded: 76.2 and 123.8
        assertThat(samples(image)).containsExactly(76, 124);
    }

    @Test
    void anUnsupportedPhotometricInterpretationIsRefusedByName() {
        DicomException e = catchThrowableOfType(DicomException.class,
                () -> decode(mono("YBR_FULL", 8, 8, false, bytes8(1, 2, 3, 4))));
        assertThat(e.reason()).isEqualTo(DicomException.Reason.UNSUPPORTED_PIXELS);
        assertThat(e.getMessage()).contains("YBR_FULL", "MONOCHROME1, MONOCHROME2, RGB");
    }

    @Test
    void pixelDataShorterThanTheImageIsTruncated() {
        DicomException e = catchThrowableOfType(DicomException.class,
                () -> decode(header("MONOCHROME2", 16, 16, false).element(Tags.PIXEL_DATA, "OW", bytes16(1, 2))));
        assertThat(e.reason()).isEqualTo(DicomException.Reason.TRUNCATED);
    }

    /** A 2x2 image. */
    private static DicomWriter header(String photometric, int allocated, int stored, boolean signed) {
        return new DicomWriter(true)
                .uint16(Tags.SAMPLES_PER_PIXEL, 1)
                .string(Tags.PHOTOMETRIC_INTERPRETATION, "CS", photometric)
                .uint16(Tags.ROWS, 2)
                .uint16(Tags.COLUMNS, 2)
                .uint16(Tags.BITS_ALLOCATED, allocated)
                .uint16(Tags.BITS_STORED, stored)
                .uint16(Tags.HIGH_BIT, stored - 1)
                .uint16(Tags.PIXEL_REPRESENTATION, signed ? 1 : 0);
    }

    private static DicomWriter mono(String photometric, int allocated, int stored, boolean signed, byte[] pixels) {
        return header(photometric, allocated, stored, signed).element(Tags.PIXEL_DATA, allocated == 8 ? "OB" : "OW",
                pixels);
    }

    private GrayImage decode(DicomWriter dataset) {
        DicomObject ds = DicomReader.readDataset(dataset.toByteArray(), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid());
        return decoder.decode(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
    }

    private static int[] samples(GrayImage image) {
        int[] out = new int[image.pixels().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.pixels()[i] & 0xFF;
        }
        return out;
    }

    private static byte[] bytes8(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] bytes16(int... values) {
        byte[] out = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            out[2 * i] = (byte) values[i];
            out[2 * i + 1] = (byte) (values[i] >>> 8);
        }
        return out;
    }
}
