package io.edgellm.bench.batched;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/** The batched-bench table in llama-batched-bench's columns plus energy, memory and llama.cpp's figures. */
public final class BatchedReports {
    private BatchedReports() {
    }

    private static final String[] COLS = {"PP", "TG", "B", "N_KV", "T_PP s", "S_PP t/s", "T_TG s", "S_TG t/s", "T s", "S t/s",
            "W_PP", "J/tok PP", "W_TG", "J/tok TG", "peak MiB"};

    /**
     * Formats the rows.
     *
     * @param rows   results
     * @param format md, csv, json or jsonl
     * @return the text
     * @throws IllegalArgumentException for an unknown format
     */
    public static String format(List<BatchedBenchCommand.Result> rows, String format) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "md" -> markdown(rows);
            case "csv" -> csv(rows);
            case "json" -> json(rows, false);
            case "jsonl" -> json(rows, true);
            default -> throw new IllegalArgumentException("unknown output format '" + format + "' (md, csv, json, jsonl)");
        };
    }

    private static boolean energy(List<BatchedBenchCommand.Result> rows) {
        return rows.stream().anyMatch(r -> !Double.isNaN(r.row().jPerTokenTg()));
    }

    private static boolean peers(List<BatchedBenchCommand.Result> rows) {
        return rows.stream().anyMatch(r -> r.peer() != null);
    }

    private static String[] cells(BatchedBenchCommand.Result res, boolean energy, boolean peers) {
        BatchedBench.Row r = res.row();
        java.util.List<String> c = new java.util.ArrayList<>(List.of(
                String.valueOf(r.pp()), String.valueOf(r.tg()), String.valueOf(r.b()), String.valueOf(r.nKv()),
                f3(r.tPp()), f2(r.sPp()), f3(r.tTg()), f2(r.sTg()), f3(r.t()), f2(r.s())));
        if (energy) {
            c.add(r.pp_().available() ? f2(r.pp_().averageWatts()) : "-");
            c.add(nan(r.jPerTokenPp()));
            c.add(r.tg_().available() ? f2(r.tg_().averageWatts()) : "-");
            c.add(nan(r.jPerTokenTg()));
        }
        c.add(res.peakRss() > 0 ? String.valueOf(res.peakRss() >> 20) : "-");
        if (peers) {
            Double pp = res.peer() == null ? null : res.peer().get("speed_pp");
            Double tg = res.peer() == null ? null : res.peer().get("speed_tg");
            c.add(pp == null ? "-" : f2(pp));
            c.add(pp == null ? "-" : f2(r.sPp() / pp));
            c.add(tg == null ? "-" : f2(tg));
            c.add(tg == null ? "-" : f2(r.sTg() / tg));
        }
        return c.toArray(String[]::new);
    }

    private static String[] header(boolean energy, boolean peers) {
        java.util.List<String> h = new java.util.ArrayList<>(List.of(COLS).subList(0, 10));
        if (energy) h.addAll(List.of(COLS).subList(10, 14));
        h.add("peak MiB");
        if (peers) h.addAll(List.of("llama.cpp S_PP", "PP ratio", "llama.cpp S_TG", "TG ratio"));
        return h.toArray(String[]::new);
    }

    static String markdown(List<BatchedBenchCommand.Result> rows) {
        boolean e = energy(rows), p = peers(rows);
        StringBuilder sb = new StringBuilder();
        String[] h = header(e, p);
        sb.append('|');
        for (String s : h) sb.append(String.format(Locale.ROOT, " %8s |", s));
        sb.append("\n|");
        for (String s : h) sb.append("-".repeat(Math.max(8, s.length()) + 1)).append(":|");
        sb.append('\n');
        for (BatchedBenchCommand.Result r : rows) {
            sb.append('|');
            String[] c = cells(r, e, p);
            for (int i = 0; i < c.length; i++) sb.append(String.format(Locale.ROOT, " %" + Math.max(8, h[i].length()) + "s |", c[i]));
            sb.append('\n');
        }
        if (!e) sb.append("\npower: none (no W or J/token columns)\n");
        return sb.toString();
    }

    static String csv(List<BatchedBenchCommand.Result> rows) {
        boolean e = energy(rows), p = peers(rows);
        StringBuilder sb = new StringBuilder(String.join(",", header(e, p))).append('\n');
        for (BatchedBenchCommand.Result r : rows) sb.append(String.join(",", cells(r, e, p))).append('\n');
        return sb.toString();
    }

    static String json(List<BatchedBenchCommand.Result> rows, boolean lines) {
        ObjectMapper om = new ObjectMapper();
        ArrayNode arr = om.createArrayNode();
        StringBuilder sb = new StringBuilder();
        for (BatchedBenchCommand.Result res : rows) {
            BatchedBench.Row r = res.row();
            ObjectNode o = om.createObjectNode();
            o.put("pp", r.pp()).put("tg", r.tg()).put("pl", r.b()).put("n_kv", r.nKv()).put("is_pp_shared", r.shared() ? 1 : 0)
                    .put("t_pp", r.tPp()).put("speed_pp", r.sPp()).put("t_tg", r.tTg()).put("speed_tg", r.sTg())
                    .put("t", r.t()).put("speed", r.s()).put("peak_rss_bytes", res.peakRss());
            if (r.pp_().available()) o.put("w_pp", r.pp_().averageWatts()).put("j_per_token_pp", r.jPerTokenPp());
            if (r.tg_().available()) o.put("w_tg", r.tg_().averageWatts()).put("j_per_token_tg", r.jPerTokenTg());
            if (res.peer() != null) {
                ObjectNode peer = o.putObject("llama_cpp");
                res.peer().forEach(peer::put);
            }
            if (lines) {
                sb.append(o).append('\n');
            } else {
                arr.add(o);
            }
        }
        return lines ? sb.toString() : arr.toPrettyString() + "\n";
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String nan(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
