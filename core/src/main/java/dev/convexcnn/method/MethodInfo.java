package dev.convexcnn.method;

/**
 * What a method is, for the help, the run's first line and the report.
 *
 * @param summary     one line
 * @param description one paragraph: what the method computes and what the model is
 * @param paper       the paper it implements (authors, title, venue, arXiv id)
 * @param fidelity    how closely it follows the paper
 */
public record MethodInfo(String summary, String description, String paper, Fidelity fidelity) {

    /** How a method relates to its paper. */
    public enum Kind {
        /** The paper's method as its text describes it. */
        PAPER("as in the paper"),
        /** The paper's text could not be read here in full: the method follows our reading of what could be. */
        OUR_READING("our reading"),
        /** The paper's statements could not be checked: the program is our own derivation, checked by brute force. */
        OUR_DERIVATION("our derivation"),
        /** No paper: a baseline or a tool of the lab. */
        BASELINE("baseline");

        private final String words;

        Kind(String words) { this.words = words; }

        public String words() { return words; }
    }

    /** The kind and a note saying why (e.g. "the paper's body could not be read"). */
    public record Fidelity(Kind kind, String note) {
        /** "our reading: the paper's body could not be read", or the kind's words alone when there is no note. */
        public String label() {
            return note == null || note.isBlank() ? kind.words() : kind.words() + ": " + note;
        }
    }

    public MethodInfo {
        if (summary == null || summary.isBlank()) throw new IllegalArgumentException("a method needs a summary");
        if (fidelity == null) throw new IllegalArgumentException("a method needs a fidelity label");
    }
}
