package org.cxrscreen.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The association negotiation PDUs (PS3.8 9.3.2 to 9.3.4): request and accept, parsed and encoded. */
public final class Association {

    private Association() {
    }

    /** One proposed presentation context. */
    public record ProposedContext(int id, String abstractSyntax, List<String> transferSyntaxes) {
    }

    /** One context in the answer: result 0 accepted, 1 user rejection, 3 abstract syntax, 4 transfer syntaxes. */
    public record ContextResult(int id, int result, String transferSyntax) {

        public static final int ACCEPTED = 0;
        public static final int ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
        public static final int TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;
    }

    /** A-ASSOCIATE-RQ. */
    public record Request(int protocolVersion, String calledAe, String callingAe, List<ProposedContext> contexts,
            long maxPduLength, String implementationClassUid) {

        public static Request parse(byte[] body) {
            if (body.length < 68) {
                throw new IllegalArgumentException("an A-ASSOCIATE-RQ of " + body.length + " bytes is too short");
            }
            int version = Pdu.u16(body, 0);
            String called = Pdu.text(body, 4, 16);
            String calling = Pdu.text(body, 20, 16);
            List<ProposedContext> contexts = new ArrayList<>();
            long maxPdu = 0;
            String implementation = null;
            int pos = 68;
            while (pos + 4 <= body.length) {
                int type = body[pos] & 0xFF;
                int length = Pdu.u16(body, pos + 2);
                int value = pos + 4;
                if (value + length > body.length) {
                    throw new IllegalArgumentException("an A-ASSOCIATE-RQ item runs past the PDU");
                }
                if (type == 0x20) {
                    contexts.add(context(body, value, length));
                } else if (type == 0x50) {
                    int sub = value;
                    while (sub + 4 <= value + length) {
                        int subType = body[sub] & 0xFF;
                        int subLength = Pdu.u16(body, sub + 2);
                        if (sub + 4 + subLength > value + length) {
                            throw new IllegalArgumentException("a user information sub-item runs past its item");
                        }
                        if (subType == 0x51 && subLength == 4) {
                            maxPdu = Pdu.u32(body, sub + 4);
                        } else if (subType == 0x52) {
                            implementation = Pdu.text(body, sub + 4, subLength);
                        }
                        sub += 4 + subLength;
                    }
                }
                pos = value + length;
            }
            return new Request(version, called, calling, contexts, maxPdu, implementation);
        }

        private static ProposedContext context(byte[] body, int from, int length) {
            if (length < 4) {
                throw new IllegalArgumentException("a presentation context item is too short");
            }
            int id = body[from] & 0xFF;
            String abstractSyntax = null;
            List<String> syntaxes = new ArrayList<>();
            int pos = from + 4;
            while (pos + 4 <= from + length) {
                int type = body[pos] & 0xFF;
                int subLength = Pdu.u16(body, pos + 2);
                if (pos + 4 + subLength > from + length) {
                    throw new IllegalArgumentException("a presentation context sub-item runs past its item");
                }
                String uid = Pdu.text(body, pos + 4, subLength);
                if (type == 0x30) {
                    abstractSyntax = uid;
                } else if (type == 0x40) {
                    syntaxes.add(uid);
                }
                pos += 4 + subLength;
            }
            return new ProposedContext(id, abstractSyntax, syntaxes);
        }

        public Pdu encode() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            header(out, calledAe, callingAe);
            Pdu.item(out, 0x10, Pdu.ascii(Pdu.APPLICATION_CONTEXT));
            for (ProposedContext c : contexts) {
                ByteArrayOutputStream item = new ByteArrayOutputStream();
                item.writeBytes(new byte[] {(byte) c.id(), 0, 0, 0});
                Pdu.item(item, 0x30, Pdu.ascii(c.abstractSyntax()));
                c.transferSyntaxes().forEach(ts -> Pdu.item(item, 0x40, Pdu.ascii(ts)));
                Pdu.item(out, 0x20, item.toByteArray());
            }
            userInformation(out, maxPduLength);
            return new Pdu(Pdu.ASSOCIATE_RQ, out.toByteArray());
        }
    }

    /** A-ASSOCIATE-AC. */
    public record Accept(String calledAe, String callingAe, List<ContextResult> results, long maxPduLength) {

        public Pdu encode() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            header(out, calledAe, callingAe);
            Pdu.item(out, 0x10, Pdu.ascii(Pdu.APPLICATION_CONTEXT));
            for (ContextResult r : results) {
                ByteArrayOutputStream item = new ByteArrayOutputStream();
                item.writeBytes(new byte[] {(byte) r.id(), 0, (byte) r.result(), 0});
                Pdu.item(item, 0x40, Pdu.ascii(r.transferSyntax() == null ? "" : r.transferSyntax()));
                Pdu.item(out, 0x21, item.toByteArray());
            }
            userInformation(out, maxPduLength);
            return new Pdu(Pdu.ASSOCIATE_AC, out.toByteArray());
        }

        public static Accept parse(byte[] body) {
            String called = Pdu.text(body, 4, 16);
            String calling = Pdu.text(body, 20, 16);
            List<ContextResult> results = new ArrayList<>();
            long maxPdu = 0;
            int pos = 68;
            while (pos + 4 <= body.length) {
                int type = body[pos] & 0xFF;
                int length = Pdu.u16(body, pos + 2);
                int value = pos + 4;
                if (type == 0x21) {
                    String ts = null;
                    if (length > 8) {
                        ts = Pdu.text(body, value + 8, Pdu.u16(body, value + 6));
                    }
                    results.add(new ContextResult(body[value] & 0xFF, body[value + 2] & 0xFF, ts));
                } else if (type == 0x50) {
                    for (int sub = value; sub + 4 <= value + length; sub += 4 + Pdu.u16(body, sub + 2)) {
                        if ((body[sub] & 0xFF) == 0x51) {
                            maxPdu = Pdu.u32(body, sub + 4);
                        }
                    }
                }
                pos = value + length;
            }
            return new Accept(called, calling, results, maxPdu);
        }
    }

    private static void header(ByteArrayOutputStream out, String calledAe, String callingAe) {
        out.writeBytes(new byte[] {0, 1, 0, 0});
        out.writeBytes(Pdu.aeTitle(calledAe));
        out.writeBytes(Pdu.aeTitle(callingAe));
        out.writeBytes(new byte[32]);
    }

    private static void userInformation(ByteArrayOutputStream out, long maxPduLength) {
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        Pdu.item(user, 0x51, ByteBuffer.allocate(4).putInt((int) maxPduLength).array());
        Pdu.item(user, 0x52, Pdu.ascii(Pdu.IMPLEMENTATION_CLASS_UID));
        Pdu.item(user, 0x55, Pdu.ascii(Pdu.IMPLEMENTATION_VERSION));
        Pdu.item(out, 0x50, user.toByteArray());
    }
}
