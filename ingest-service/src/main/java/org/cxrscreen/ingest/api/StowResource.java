package org.cxrscreen.ingest.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cxrscreen.dicom.DicomException;
import org.cxrscreen.dicom.DicomReader;
import org.cxrscreen.dicom.Tags;
import org.cxrscreen.ingest.domain.DicomIntake;
import org.cxrscreen.ingest.domain.InstanceLedger.LedgerUnavailableException;
import org.cxrscreen.ingest.messaging.ImagePublisher.PublishFailedException;

/**
 * DICOMweb STOW-RS (PS3.18 10.5): {@code POST /dicom-web/studies} with a
 * {@code multipart/related; type="application/dicom"} body of Part 10 instances. Each instance is
 * handled on its own and the answer, in the DICOM JSON model, lists the stored ones in the Referenced
 * SOP Sequence (0008,1199) and the refused ones in the Failed SOP Sequence (0008,1198) with a Failure
 * Reason (0008,1197) and, beyond the standard's codes, the reason in words as Error Comment
 * (0000,0902). 200 when all were stored, 202 when some were, 409 when none was, 503 when none was
 * because Kafka or PostgreSQL was unavailable.
 */
@Path("/dicom-web/studies")
public class StowResource {

    static final String DICOM_JSON = "application/dicom+json";
    /** PS3.18 failure reasons, and C001 for objects that are not screened (as the C-STORE SCP answers). */
    static final int OUT_OF_RESOURCES = 0xA700;
    static final int CANNOT_UNDERSTAND = 0xC000;
    static final int NOT_SCREENED = 0xC001;
    static final int TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122;

    private final DicomIntake intake;

    public StowResource(DicomIntake intake) {
        this.intake = intake;
    }

    @POST
    @Consumes("multipart/related")
    public Response store(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        String type = MultipartRelated.parameter(contentType, "type");
        if (type != null && !type.equalsIgnoreCase("application/dicom")) {
            return error(415, "unsupported_media_type", "STOW-RS here takes multipart/related; "
                    + "type=\"application/dicom\" (Part 10 instances), not type=\"" + type + "\"");
        }
        List<MultipartRelated.Part> parts;
        try {
            parts = MultipartRelated.parse(body == null ? new byte[0] : body,
                    MultipartRelated.parameter(contentType, "boundary"));
        } catch (IllegalArgumentException e) {
            return error(400, "malformed_multipart", e.getMessage() + "; expected multipart/related; "
                    + "type=\"application/dicom\"; boundary=...");
        }
        if (parts.isEmpty()) {
            return error(400, "no_instances", "the body has no parts; send one application/dicom part per instance");
        }
        List<Map<String, Object>> referenced = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        int unavailable = 0;
        for (MultipartRelated.Part part : parts) {
            String partType = part.contentType();
            if (partType != null && !partType.equals("application/dicom")) {
                failed.add(failure(null, null, CANNOT_UNDERSTAND, "a part of type " + partType
                        + " is not accepted; each part must be application/dicom"));
                continue;
            }
            try {
                DicomIntake.Accepted accepted = intake.acceptFile(part.content(), DicomIntake.STOW);
                referenced.add(sop(accepted.sopClassUid(), accepted.sopInstanceUid()));
            } catch (DicomException e) {
                String[] uids = uidsOf(part.content());
                int reason = switch (e.reason()) {
                    case NOT_ELIGIBLE -> NOT_SCREENED;
                    case UNSUPPORTED_TRANSFER_SYNTAX -> TRANSFER_SYNTAX_NOT_SUPPORTED;
                    default -> CANNOT_UNDERSTAND;
                };
                failed.add(failure(uids[0], uids[1], reason, e.getMessage()));
            } catch (PublishFailedException | LedgerUnavailableException e) {
                unavailable++;
                String[] uids = uidsOf(part.content());
                failed.add(failure(uids[0], uids[1], OUT_OF_RESOURCES, e.getMessage() + "; not stored, retry later"));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        if (!referenced.isEmpty()) {
            answer.put("00081199", Map.of("vr", "SQ", "Value", referenced));
        }
        if (!failed.isEmpty()) {
            answer.put("00081198", Map.of("vr", "SQ", "Value", failed));
        }
        int status = failed.isEmpty() ? 200 : !referenced.isEmpty() ? 202 : unavailable == failed.size() ? 503 : 409;
        Response.ResponseBuilder response = Response.status(status).type(DICOM_JSON).entity(answer);
        if (status == 503) {
            response.header("Retry-After", "5");
        }
        return response.build();
    }

    /** SOP class and instance UIDs of a part, for its failure item, when they can be read at all. */
    private static String[] uidsOf(byte[] part) {
        try {
            var ds = DicomReader.readPart10(part).dataset();
            return new String[] {ds.string(Tags.SOP_CLASS_UID), ds.string(Tags.SOP_INSTANCE_UID)};
        } catch (RuntimeException e) {
            return new String[2];
        }
    }

    private static Map<String, Object> sop(String sopClass, String sopInstance) {
        Map<String, Object> item = new LinkedHashMap<>();
        if (sopClass != null) {
            item.put("00081150", Map.of("vr", "UI", "Value", List.of(sopClass)));
        }
        if (sopInstance != null) {
            item.put("00081155", Map.of("vr", "UI", "Value", List.of(sopInstance)));
        }
        return item;
    }

    private static Map<String, Object> failure(String sopClass, String sopInstance, int reason, String comment) {
        Map<String, Object> item = sop(sopClass, sopInstance);
        item.put("00081197", Map.of("vr", "US", "Value", List.of(reason)));
        item.put("00000902", Map.of("vr", "LO", "Value", List.of(comment)));
        return item;
    }

    private static Response error(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(code, message)).build();
    }
}
