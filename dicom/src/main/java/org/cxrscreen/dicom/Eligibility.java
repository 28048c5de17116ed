package org.cxrscreen.dicom;

import java.util.Locale;
import java.util.Set;
import org.cxrscreen.dicom.DicomException.Reason;

/**
 * Which objects are screened: frontal chest radiographs only. The SOP class must be CR, DX (for
 * presentation or processing) or Secondary Capture; the modality CR or DX, or a Secondary Capture
 * whose body part is CHEST; the body part CHEST when present; the view PA or AP; and no burned-in
 * annotation, which could put identifying text in the pixels the system publishes.
 *
 * @param allowMissingView accept objects without a view position (0018,5101)
 */
public record Eligibility(boolean allowMissingView) {

    private static final Set<String> RADIOGRAPHY = Set.of("CR", "DX");
    private static final Set<String> FRONTAL = Set.of("PA", "AP");

    /**
     * @throws DicomException with reason {@code NOT_ELIGIBLE} saying what was found and what is screened
     */
    public void check(DicomObject ds) {
        String sopClassUid = ds.string(Tags.SOP_CLASS_UID);
        SopClass sopClass = sopClassUid == null ? null : SopClass.of(sopClassUid);
        String modality = upper(ds.string(Tags.MODALITY));
        String bodyPart = upper(ds.string(Tags.BODY_PART_EXAMINED));
        if (modality == null || !RADIOGRAPHY.contains(modality)) {
            if (!(sopClass == SopClass.SECONDARY_CAPTURE && "CHEST".equals(bodyPart))) {
                throw refuse("modality " + (modality == null ? "(none)" : modality) + " is not screened: only chest "
                        + "radiographs (CR, DX, or Secondary Capture of the CHEST) are");
            }
        }
        if (sopClass == null) {
            throw refuse("SOP class " + (sopClassUid == null ? "(none)" : sopClassUid) + " is not accepted; accepted: CR, DX and "
                    + "Secondary Capture image storage");
        }
        if (bodyPart != null && !bodyPart.equals("CHEST")) {
            throw refuse("body part " + bodyPart + " is not screened: only CHEST is");
        }
        String view = upper(ds.string(Tags.VIEW_POSITION));
        if (view == null && !allowMissingView) {
            throw refuse("no view position (0018,5101): only frontal views (PA, AP) are screened");
        }
        if (view != null && !FRONTAL.contains(view)) {
            throw refuse("view " + view + " is not screened: only frontal views (PA, AP) are");
        }
        if ("YES".equals(upper(ds.string(Tags.BURNED_IN_ANNOTATION)))) {
            throw refuse("burned-in annotation (0028,0301) is YES: identifying text may be in the pixels");
        }
    }

    private static DicomException refuse(String message) {
        return new DicomException(Reason.NOT_ELIGIBLE, message);
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }
}
