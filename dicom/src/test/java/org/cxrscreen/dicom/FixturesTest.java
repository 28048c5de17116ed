package org.cxrscreen.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.cxrscreen.dicom.DicomException.Reason;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.testsupport.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shared DICOM fixtures: the accepted ones decode to what dcmtk's own renderer ({@code dcm2pnm},
 * first VOI window, MONOCHROME1 shown the right way round) shows to within one grey level (the two round
 * differently after inversion), and every {@code reject-*} file is
 * refused for its reason.
 */
class FixturesTest {

    private final PixelDecoder decoder = new PixelDecoder(ImageLimits.DEFAULT);
    private final Eligibility eligibility = new Eligibility(false);

    @ParameterizedTest
    @CsvSource({
        "dx-normal-12bit-mono2.dcm, 1.2.840.10008.1.2.1, 2000, 2000",
        "cr-pneumonia-12bit-mono1-implicit.dcm, 1.2.840.10008.1.2, 955, 954",
        "cr-covid-jpeg-baseline.dcm, 1.2.840.10008.1.2.4.50, 2000, 2000"})
    void acceptedFixturesDecodeAsDcmtkRendersThem(String name, String syntax, int width, int height) throws Exception {
        DicomReader.Part10 file = DicomReader.readPart10(SharedData.read(SharedData.dicom(name)));
        eligibility.check(file.dataset());

        GrayImage image = decoder.decode(file.dataset(), TransferSyntax.require(file.transferSyntaxUid()));

        assertThat(file.transferSyntaxUid()).isEqualTo(syntax);
        assertThat(image.width()).isEqualTo(width);
        assertThat(image.height()).isEqualTo(height);
        GrayImage reference = dcmtk(SharedData.dicom(name));
        int worst = 0;
        long total = 0;
        for (int i = 0; i < image.pixels().length; i++) {
            int d = Math.abs((image.pixels()[i] & 0xFF) - (reference.pixels()[i] & 0xFF));
            worst = Math.max(worst, d);
            total += d;
        }
        assertThat(worst).as("largest difference from dcm2pnm").isLessThanOrEqualTo(1);
        assertThat((double) total / image.pixels().length).as("mean difference").isLessThanOrEqualTo(1.0);
    }

    @Test
    void monochrome1IsShownWithAirBlack() throws Exception {
        DicomReader.Part10 file = DicomReader.readPart10(SharedData.read(
                SharedData.dicom("cr-pneumonia-12bit-mono1-implicit.dcm")));

        GrayImage image = decoder.decode(file.dataset(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);

        // the stored top-left value is the largest (0x0fff): in MONOCHROME1 that is black
        assertThat(file.dataset().int16(Tags.PIXEL_DATA, 0, false)).isEqualTo(0x0fff);
        assertThat(image.get(0, 0)).isZero();
    }

    @ParameterizedTest
    @CsvSource({
        "reject-ct-abdomen.dcm, NOT_ELIGIBLE, modality CT is not screened",
        "reject-lateral-view.dcm, NOT_ELIGIBLE, view LL is not screened",
        "reject-no-pixel-data.dcm, NO_PIXEL_DATA, no pixel data",
        "reject-truncated.dcm, TRUNCATED, truncated",
        "reject-not-dicom.dcm, NOT_DICOM, not a DICOM file"})
    void rejectedFixturesAreRefusedForTheirReason(String name, Reason reason, String text) {
        Throwable thrown = catchThrowable(() -> {
            DicomReader.Part10 file = DicomReader.readPart10(SharedData.read(SharedData.dicom(name)));
            eligibility.check(file.dataset());
            decoder.decode(file.dataset(), TransferSyntax.require(file.transferSyntaxUid()));
        });

        assertThat(thrown).isInstanceOf(DicomException.class).hasMessageContaining(text);
        assertThat(((DicomException) thrown).reason()).isEqualTo(reason);
    }

    @Test
    void deidentificationKeepsNoIdentifierAndPseudonymsAreStable() throws IOException {
        byte[] bytes = SharedData.read(SharedData.dicom("dx-normal-12bit-mono2.dcm"));
        DicomObject ds = DicomReader.readPart10(bytes).dataset();
        Deidentifier deidentifier = new Deidentifier("a-test-key-that-is-long-enough-0123456789");

        DeidentifiedInstance first = deidentifier.deidentify(ds);
        DeidentifiedInstance second = deidentifier.deidentify(DicomReader.readPart10(bytes).dataset());
        DeidentifiedInstance otherKey = new Deidentifier("another-key-that-is-long-enough-9876543210")
                .deidentify(ds);

        assertThat(first).isEqualTo(second);
        assertThat(first.instanceId()).matches("[0-9a-f]{32}").isNotEqualTo(otherKey.instanceId());
        assertThat(first.modality()).isEqualTo("DX");
        assertThat(first.view()).isEqualTo("PA");
        String everything = first.toString();
        for (int tag : new int[] {Tags.PATIENT_NAME, Tags.PATIENT_ID, Tags.PATIENT_BIRTH_DATE, Tags.ACCESSION_NUMBER,
                Tags.SOP_INSTANCE_UID, Tags.STUDY_INSTANCE_UID}) {
            String value = ds.string(tag);
            assertThat(value).as(Tags.format(tag)).isNotBlank();
            assertThat(everything).doesNotContain(value);
        }
    }

    @Test
    void anUnsupportedTransferSyntaxIsRefusedByName() {
        byte[] file = DicomWriter.part10(SopClass.COMPUTED_RADIOGRAPHY.uid(), "1.2.3.4", "1.2.840.10008.1.2.4.90",
                new byte[0]);

        Throwable thrown = catchThrowable(() -> DicomReader.readPart10(file));

        assertThat(thrown).hasMessageContaining("JPEG 2000 (Lossless Only) (1.2.840.10008.1.2.4.90) is not supported")
                .hasMessageContaining("accepted: Implicit VR Little Endian");
    }

    /** dcmtk's rendering of the first frame (first VOI window where there is one) as a binary 8-bit PGM. */
    static GrayImage dcmtk(Path file) throws Exception {
        Path out = Files.createTempFile("dcm2pnm", ".pgm");
        boolean windowed = DicomReader.readPart10(Files.readAllBytes(file)).dataset().contains(Tags.WINDOW_CENTER);
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("dcmj2pnm", "--write-raw-pnm"));
        if (windowed) {
            command.addAll(java.util.List.of("--use-window", "1"));
        }
        command.addAll(java.util.List.of(file.toString(), out.toString()));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).as(output).isZero();
            byte[] pgm = Files.readAllBytes(out);
            String header = new String(pgm, 0, 64, StandardCharsets.US_ASCII);
            String[] fields = header.split("\\s+");
            int width = Integer.parseInt(fields[1]);
            int height = Integer.parseInt(fields[2]);
            byte[] pixels = Arrays.copyOfRange(pgm, pgm.length - width * height, pgm.length);
            return new GrayImage(width, height, pixels);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
