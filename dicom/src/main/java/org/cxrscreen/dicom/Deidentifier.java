package org.cxrscreen.dicom;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.cxrscreen.dicom.DicomException.Reason;

/**
 * De-identification under the DICOM PS3.15 Basic Application Confidentiality Profile, with the
 * strictest choice the profile allows: nothing of the object leaves the ingest but the few attributes
 * the screening needs and that identify no one (SOP class, modality, body part, view, laterality), and
 * the study, series and instance UIDs, which the profile replaces, become pseudonyms. A pseudonym is
 * the first 128 bits of HMAC-SHA256 under a key from configuration, in hex: the same UID always maps
 * to the same pseudonym, and without the key it cannot be traced back. Names, IDs, dates, accession
 * numbers, institutions, private tags and everything else are dropped.
 */
public final class Deidentifier {

    /** The profile, as DICOM codes it (CID 7050). */
    public static final String METHOD = "DICOM PS3.15 Basic Application Confidentiality Profile (113100); "
            + "only SOP class, modality, body part, view and laterality retained; UIDs replaced by keyed pseudonyms";

    private final SecretKeySpec key;

    /** @param secret at least 32 characters; from configuration, never from the repository */
    public Deidentifier(String secret) {
        if (secret == null || secret.length() < 32) {
            throw new IllegalArgumentException("the pseudonym key must have at least 32 characters");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The pseudonym of a UID: 32 hex digits. */
    public String pseudonym(String uid) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(uid.getBytes(StandardCharsets.US_ASCII)), 0, 16);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The de-identified view of a data set.
     *
     * @throws DicomException when it has no SOP instance UID
     */
    public DeidentifiedInstance deidentify(DicomObject ds) {
        String instance = ds.string(Tags.SOP_INSTANCE_UID);
        if (instance == null) {
            throw new DicomException(Reason.MALFORMED, "no SOP instance UID (0008,0018)");
        }
        String study = ds.string(Tags.STUDY_INSTANCE_UID);
        String series = ds.string(Tags.SERIES_INSTANCE_UID);
        String laterality = ds.string(Tags.IMAGE_LATERALITY) != null ? ds.string(Tags.IMAGE_LATERALITY)
                : ds.string(Tags.LATERALITY);
        return new DeidentifiedInstance(pseudonym(instance), study == null ? null : pseudonym(study),
                series == null ? null : pseudonym(series), ds.string(Tags.SOP_CLASS_UID), ds.string(Tags.MODALITY),
                ds.string(Tags.BODY_PART_EXAMINED), ds.string(Tags.VIEW_POSITION), laterality);
    }
}
