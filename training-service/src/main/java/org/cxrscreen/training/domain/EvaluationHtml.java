package org.cxrscreen.training.domain;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * The evaluation report as one self-contained HTML page for people: the figures as tables, the
 * confusion matrices and the reliability diagram as inline SVG pictures, and the misclassified images
 * with their probabilities. No scripts, no external files.
 */
public final class EvaluationHtml {

    private static final int MAX_LISTED = 300;

    private EvaluationHtml() {
    }

    public static String render(EvaluationReport r) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evaluation of ")
                .append(esc(r.model())).append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
                .append("table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;")
                .append("padding:.25em .6em;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}")
                .append("h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.8em}.pics{display:flex;gap:2em;")
                .append("flex-wrap:wrap}</style></head><body>");
        h.append("<h1>Model ").append(esc(r.model())).append("</h1><p>").append(esc(r.data())).append(": ")
                .append(r.images()).append(" images. Accuracy <b>").append(f(r.accuracy()))
                .append("</b>, macro-F1 <b>").append(f(r.macroF1())).append("</b>, expected calibration error ")
                .append(f(r.calibration().ece())).append(".</p>");

        h.append("<h2>Per class (most probable class)</h2>");
        classTable(h, r.perClass(), r.rocAuc());
        h.append("<div class=\"pics\"><div><h2>Confusion matrix</h2>")
                .append(matrixSvg(r.classes(), r.confusionMatrix())).append("</div><div><h2>Reliability diagram</h2>")
                .append(reliabilitySvg(r.calibration())).append("</div></div>");

        if (r.operatingPoint() != null) {
            EvaluationReport.AtOperatingPoint p = r.operatingPoint();
            h.append("<h2>At the operating point</h2><p>").append(p.screeningClass()).append(" when its probability is")
                    .append(" at least ").append(f(p.threshold())).append(" (chosen on the validation part for recall ")
                    .append(f(p.targetRecall())).append("; it reached ").append(f(p.validationRecall()))
                    .append(" there). Accuracy ").append(f(p.accuracy())).append(", macro-F1 ").append(f(p.macroF1()))
                    .append(".</p>");
            classTable(h, p.perClass(), null);
            h.append(matrixSvg(r.classes(), p.confusionMatrix()));
        }

        h.append("<h2>Calibration</h2><table><tr><th>confidence</th><th>images</th><th>mean confidence</th>")
                .append("<th>accuracy</th></tr>");
        for (EvaluationReport.Bin b : r.calibration().bins()) {
            h.append("<tr><td>").append(f2(b.lower())).append("&ndash;").append(f2(b.upper())).append("</td><td>")
                    .append(b.count()).append("</td><td>").append(b.count() == 0 ? "" : f(b.confidence()))
                    .append("</td><td>").append(b.count() == 0 ? "" : f(b.accuracy())).append("</td></tr>");
        }
        h.append("</table>");

        if (!r.bySource().isEmpty()) {
            h.append("<h2>By source</h2><table><tr><th class=\"l\">source</th><th>images</th><th>accuracy</th>")
                    .append("<th>macro-F1</th><th class=\"l\">recall</th></tr>");
            r.bySource().forEach((source, s) -> h.append("<tr><td class=\"l\">").append(esc(source))
                    .append("</td><td>").append(s.images()).append("</td><td>").append(f(s.accuracy()))
                    .append("</td><td>").append(f(s.macroF1())).append("</td><td class=\"l\">")
                    .append(esc(s.recall().toString())).append("</td></tr>"));
            h.append("</table>");
        }

        if (!r.members().isEmpty()) {
            h.append("<h2>Ensemble members</h2><p>The members disagree on ")
                    .append(String.format(Locale.ROOT, "%.1f%%", r.memberDisagreement() * 100))
                    .append(" of the images.</p><table><tr><th class=\"l\">member</th><th>accuracy</th>")
                    .append("<th>macro-F1</th><th>COVID19 recall</th></tr>");
            r.members().forEach((member, m) -> h.append("<tr><td class=\"l\">").append(esc(member)).append("</td><td>")
                    .append(f(m.accuracy())).append("</td><td>").append(f(m.macroF1())).append("</td><td>")
                    .append(f(m.covidRecall())).append("</td></tr>"));
            h.append("</table>");
        }

        h.append("<h2>Misclassified images (").append(r.misclassified().size()).append(")</h2>")
                .append("<table><tr><th class=\"l\">file</th><th>actual</th><th>most probable</th><th>label</th>");
        r.classes().forEach(c -> h.append("<th>p(").append(c).append(")</th>"));
        h.append("</tr>");
        for (EvaluationReport.Misclassified m : r.misclassified().subList(0,
                Math.min(MAX_LISTED, r.misclassified().size()))) {
            h.append("<tr><td class=\"l\">").append(esc(m.file())).append("</td><td>").append(m.actual())
                    .append("</td><td>").append(m.predicted()).append("</td><td>").append(m.label()).append("</td>");
            r.classes().forEach(c -> h.append("<td>").append(f(m.probabilities().getOrDefault(c, 0.0))).append("</td>"));
            h.append("</tr>");
        }
        h.append("</table>");
        if (r.misclassified().size() > MAX_LISTED) {
            h.append("<p>").append(r.misclassified().size() - MAX_LISTED).append(" more in the JSON report.</p>");
        }
        return h.append("</body></html>\n").toString();
    }

    private static void classTable(StringBuilder h, Map<ScreeningClass, EvaluationReport.ClassFigures> perClass,
            Map<String, Double> auc) {
        h.append("<table><tr><th class=\"l\">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th>")
                .append(auc == null ? "" : "<th>ROC AUC</th>").append("</tr>");
        perClass.forEach((c, x) -> {
            h.append("<tr><td class=\"l\">").append(c).append("</td><td>").append(f(x.precision())).append("</td><td>")
                    .append(f(x.recall())).append("</td><td>").append(f(x.f1())).append("</td><td>").append(x.support())
                    .append("</td>");
            if (auc != null) {
                Double a = auc.get(c.name());
                h.append("<td>").append(a == null ? "n/a" : f(a)).append("</td>");
            }
            h.append("</tr>");
        });
        h.append("</table>");
    }

    /** Cells shaded by the share of their row, with the count written in. */
    static String matrixSvg(List<ScreeningClass> classes, long[][] counts) {
        int cell = 80;
        int left = 100;
        int top = 40;
        int n = classes.size();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-size=\"12\" role=\"img\" aria-label=\"confusion matrix\">", left + n * cell + 10,
                top + n * cell + 40));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"14\" text-anchor=\"middle\">predicted</text>",
                left + n * cell / 2));
        for (int j = 0; j < n; j++) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"32\" text-anchor=\"middle\">%s</text>",
                    left + j * cell + cell / 2, classes.get(j)));
        }
        for (int i = 0; i < n; i++) {
            long row = 0;
            for (long v : counts[i]) {
                row += v;
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 6,
                    top + i * cell + cell / 2 + 4, classes.get(i)));
            for (int j = 0; j < n; j++) {
                double share = row == 0 ? 0 : (double) counts[i][j] / row;
                int shade = (int) Math.round(255 - share * 190);
                String fill = i == j ? String.format(Locale.ROOT, "rgb(%d,%d,255)", shade, shade)
                        : String.format(Locale.ROOT, "rgb(255,%d,%d)", shade, shade);
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                        + "stroke=\"#999\"/>", left + j * cell, top + i * cell, cell, cell, fill));
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d (%.0f%%)</text>",
                        left + j * cell + cell / 2, top + i * cell + cell / 2 + 4, counts[i][j], share * 100));
            }
        }
        s.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" "
                + "text-anchor=\"middle\">actual</text>", top + n * cell / 2, top + n * cell / 2));
        return s.append("</svg>").toString();
    }

    /** Accuracy per confidence bin against the diagonal of perfect calibration. */
    static String reliabilitySvg(EvaluationReport.Calibration calibration) {
        int size = 260;
        int left = 40;
        int top = 10;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-size=\"11\" role=\"img\" aria-label=\"reliability diagram\">", left + size + 20, size + 50));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#999\"/>", left, top, size, size));
        List<EvaluationReport.Bin> bins = calibration.bins();
        double width = (double) size / bins.size();
        for (int b = 0; b < bins.size(); b++) {
            EvaluationReport.Bin bin = bins.get(b);
            if (bin.count() == 0) {
                continue;
            }
            double height = bin.accuracy() * size;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    + "fill=\"#5b8def\" stroke=\"#2a5bbf\"/>", left + b * width, top + size - height, width, height));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d33\" "
                + "stroke-dasharray=\"4 3\"/>", left, top + size, left + size, top));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">confidence "
                + "(ECE %.3f)</text>", left + size / 2, top + size + 30, calibration.ece()));
        s.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" "
                + "text-anchor=\"middle\">accuracy</text>", top + size / 2, top + size / 2));
        for (int t = 0; t <= 10; t += 5) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.1f</text>",
                    left + t * size / 10, top + size + 14, t / 10.0));
        }
        return s.append("</svg>").toString();
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String esc(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
