package io.edgellm.server;

import java.util.List;

/**
 * Turns a conversation into the prompt text the model continues (a chat template).
 */
interface ChatFormat {

    /** One message of a conversation: {@code role} (system, user, assistant, tool …) and its text. */
    record Message(String role, String content) {
    }

    /**
     * Renders a conversation.
     *
     * @param messages            the conversation, oldest first
     * @param addGenerationPrompt end with the header that starts the assistant's reply
     * @return the prompt text (special-token text such as {@code <|im_start|>} included)
     * @throws ApiException (400) when the template refuses the conversation
     */
    String render(List<Message> messages, boolean addGenerationPrompt);

    /** ChatML ({@code <|im_start|>role\ncontent<|im_end|>\n} per message), llama-server's fallback. */
    ChatFormat CHATML = (messages, agp) -> {
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        if (agp) sb.append("<|im_start|>assistant\n");
        return sb.toString();
    };
}
