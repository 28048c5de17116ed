package org.cxrscreen.dicom;

/**
 * All that leaves the ingest of a DICOM object besides its canonical pixels.
 *
 * @param instanceId pseudonym of the SOP instance UID: the image id
 * @param studyId pseudonym of the study instance UID, or null
 * @param seriesId pseudonym of the series instance UID, or null
 * @param sopClassUid the SOP class (identifies no one)
 * @param modality CR, DX, ...
 * @param bodyPart body part examined, or null
 * @param view view position, or null
 * @param laterality image laterality, or null
 */
public record DeidentifiedInstance(String instanceId, String studyId, String seriesId, String sopClassUid,
        String modality, String bodyPart, String view, String laterality) {
}
