/**
 * Tokenizers that reproduce llama.cpp's token ids exactly (src/llama-vocab.cpp, src/unicode.cpp), built from the
 * plain vocabulary data a GGUF file carries.
 *
 * <pre>{@code
 * Tokenizer t = Tokenizer.create(vocabulary);            // Vocabulary: the tokenizer.ggml.* keys
 * int[] ids = t.encode("Hello world", true, false);      // add BOS/EOS per the vocabulary, no special-token parsing
 * String s  = t.decode(ids);                             // llama_detokenize semantics
 * StreamingDecoder d = t.streamingDecoder();             // generated ids → text, never half a character
 * }</pre>
 *
 * <p>Reading order for learners:
 * <ol>
 *   <li>{@link io.edgellm.tokenizer.Vocabulary} — what the GGUF stores;</li>
 *   <li>{@link io.edgellm.tokenizer.Tokenizer} — special tokens, BOS/EOS, end of generation, decoding;</li>
 *   <li>{@code SpmModel} — SentencePiece BPE: score-ordered merges of adjacent symbols, byte fallback;</li>
 *   <li>{@code PreTokenizer}, {@code BpePreset} — how byte-level BPE cuts text into words (regexes per model);</li>
 *   <li>{@code ByteLevel}, {@code BpeModel} — GPT-2's byte → character mapping and rank-ordered merges;</li>
 *   <li>{@code BigramHeap}, {@code TokenIndex} — the priority queue and the allocation-free lookup behind both.</li>
 * </ol>
 *
 * <p>Tests check every input of llama.cpp's own tokenizer test vectors for eleven vocabularies (Llama 2 SPM, Phi-3,
 * GPT-2, Llama 3, Qwen2, DeepSeek LLM/Coder, Falcon, MPT, StarCoder, Refact) and the prompts of the real TinyStories
 * models against llama.cpp's goldens.
 */
package io.edgellm.tokenizer;
