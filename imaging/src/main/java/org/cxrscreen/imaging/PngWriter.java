package org.cxrscreen.imaging;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * An 8-bit grayscale PNG writer (ISO/IEC 15948), several times faster than ImageIO's: each row is
 * filtered with the "Up" filter (radiographs change slowly from row to row) and deflated at a fast
 * level. Lossless: any PNG decoder reads back the same samples.
 */
final class PngWriter {

    private static final int FILTER_UP = 2;
    private static final int LEVEL = Deflater.BEST_SPEED;

    private PngWriter() {
    }

    static byte[] gray8(int width, int height, byte[] pixels) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(width * height / 2 + 1024);
        out.writeBytes(ImageFormat.PNG_SIGNATURE);
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array());
        byte[] filtered = new byte[(width + 1) * height];
        for (int y = 0, in = 0, o = 0; y < height; y++) {
            filtered[o++] = (byte) FILTER_UP;
            if (y == 0) {
                System.arraycopy(pixels, 0, filtered, o, width);
                o += width;
                in += width;
            } else {
                for (int x = 0; x < width; x++, in++) {
                    filtered[o++] = (byte) (pixels[in] - pixels[in - width]);
                }
            }
        }
        Deflater deflater = new Deflater(LEVEL);
        try {
            deflater.setInput(filtered);
            deflater.finish();
            ByteArrayOutputStream compressed = new ByteArrayOutputStream(filtered.length / 2 + 64);
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                int n = deflater.deflate(buffer);
                compressed.write(buffer, 0, n);
            }
            chunk(out, "IDAT", compressed.toByteArray());
        } finally {
            deflater.end();
        }
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
