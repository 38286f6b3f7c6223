package io.edgellm.cli;

import io.edgellm.engine.GgufVocabulary;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgellm tokenize}: like llama.cpp's {@code llama-tokenize}. Works on full models and on vocabulary-only
 * GGUF files (only the {@code tokenizer.ggml.*} keys are read).
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenize text with a GGUF file's tokenizer (like llama-tokenize).",
                "Default output: one line per token, 'id -> 'piece''; --ids prints [id, id, ...].",
                "--batch FILE: inputs separated by \"\\n__ggml_vocab_test__\\n\" (llama.cpp's .inp format), one line of",
                "space-separated ids per input (the .out format); special tokens neither added nor parsed unless asked."})
public final class TokenizeCommand implements Callable<Integer> {

    /** Creates the command / architecture (used by picocli or the registry). */
    public TokenizeCommand() {
    }
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model or vocabulary file")
    Path model;

    @Option(names = {"-p", "--prompt"}, description = "text to tokenize")
    String prompt;

    @Option(names = {"-f", "--file"}, description = "read the text from this file (UTF-8)")
    Path file;

    @Option(names = "--batch", paramLabel = "FILE", description = "tokenize every input of a llama.cpp .inp file")
    Path batch;

    @Option(names = "--ids", description = "print only the ids, as [1, 2, 3]")
    boolean ids;

    @Option(names = "--no-bos", description = "do not add BOS/EOS even if the vocabulary asks for them")
    boolean noBos;

    @Option(names = "--add-special", description = "with --batch: add BOS/EOS as the vocabulary says")
    boolean addSpecial;

    @Option(names = "--parse-special", description = "turn special-token texts such as <s> into their ids")
    boolean parseSpecial;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(model)) {
            tok = Tokenizer.create(GgufVocabulary.read(f));
        }
        if (batch != null) {
            String all = EdgeLlmCli.readUtf8(batch);
            List<String> inputs = new ArrayList<>(Arrays.asList(all.split(SEPARATOR, -1)));
            if (!inputs.isEmpty() && inputs.get(inputs.size() - 1).isEmpty()) inputs.remove(inputs.size() - 1);
            for (String in : inputs) {
                StringBuilder sb = new StringBuilder();
                for (int id : tok.encode(in, addSpecial, parseSpecial)) sb.append(' ').append(id);
                out.println(sb);
            }
            out.flush();
            return 0;
        }
        if (prompt != null && file != null) throw new IllegalArgumentException("give either -p or -f, not both");
        String text = file != null ? EdgeLlmCli.readUtf8(file) : prompt;
        if (text == null) throw new IllegalArgumentException("no text: give -p TEXT, -f FILE or --batch FILE");
        int[] result = tok.encode(text, !noBos, parseSpecial);
        if (ids) {
            out.println(Arrays.toString(result));
        } else {
            for (int id : result) out.printf("%6d -> '%s'%n", id, tok.piece(id));
        }
        out.flush();
        return 0;
    }
}
