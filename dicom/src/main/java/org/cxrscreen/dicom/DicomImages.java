package org.cxrscreen.dicom;

import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageLimits;

/**
 * From received DICOM bytes to what may be screened: read within bounds, checked for eligibility
 * before any pixel is decoded, decoded, and de-identified. Every refusal is a {@link DicomException}
 * whose message says what was wrong and what is accepted.
 */
public final class DicomImages {

    /**
     * An object that will be screened.
     *
     * @param instance all of its metadata that may leave the ingest
     * @param image its pixels, display-ready
     * @param syntax the transfer syntax it arrived in
     * @param sopClassUid the SOP class UID as sent
     * @param sopInstanceUid the SOP instance UID as sent: only for the answer to the sender, never
     *        published, stored or logged
     */
    public record Screenable(DeidentifiedInstance instance, GrayImage image, TransferSyntax syntax,
            String sopClassUid, String sopInstanceUid) {

        @Override
        public String toString() {
            return "Screenable[" + instance.instanceId() + ", " + image.width() + "x" + image.height() + ", "
                    + syntax.title() + "]";
        }
    }

    private final Eligibility eligibility;
    private final PixelDecoder decoder;
    private final Deidentifier deidentifier;

    public DicomImages(Eligibility eligibility, ImageLimits limits, Deidentifier deidentifier) {
        this.eligibility = eligibility;
        this.decoder = new PixelDecoder(limits);
        this.deidentifier = deidentifier;
    }

    /** A Part 10 file, as uploaded over HTTP or STOW-RS. */
    public Screenable fromPart10(byte[] file) {
        DicomReader.Part10 part10 = DicomReader.readPart10(file);
        return screenable(part10.dataset(), TransferSyntax.require(part10.transferSyntaxUid()));
    }

    /** A bare data set in a negotiated transfer syntax, as a C-STORE carries it. */
    public Screenable fromDataset(byte[] dataset, String transferSyntaxUid) {
        TransferSyntax syntax = TransferSyntax.require(transferSyntaxUid);
        return screenable(DicomReader.readDataset(dataset, transferSyntaxUid), syntax);
    }

    private Screenable screenable(DicomObject ds, TransferSyntax syntax) {
        eligibility.check(ds);
        DeidentifiedInstance instance = deidentifier.deidentify(ds);
        GrayImage image = decoder.decode(ds, syntax);
        return new Screenable(instance, image, syntax, ds.string(Tags.SOP_CLASS_UID), ds.string(Tags.SOP_INSTANCE_UID));
    }

    public Deidentifier deidentifier() {
        return deidentifier;
    }
}
