package dev.convexcnn.alternation;

import com.google.gson.JsonObject;

/**
 * What one sweep did (sweep 0 is the initial network). objective is ½·mean‖z − t‖² + ½λ‖θ‖² on the training
 * set with the support recomputed (the true objective); validation figures are NaN without a validation set, and
 * validationLoss is the mean cross-entropy of the logits, as in {@link dev.convexcnn.nn.Evaluation}.
 * supportChanges counts unit states (over all samples and thresholding layers) that differ from the previous
 * sweep's. dataPasses counts passes over the training set so far (a forward pass and a forward-backward pass
 * count one each; an SGD epoch is one), for comparing with SGD per epoch. trainSeconds excludes validation,
 * elapsedSeconds includes it, as in {@link dev.convexcnn.sgd.EpochRecord}.
 */
public record SweepRecord(int sweep, double objective, double trainAccuracy, double validationLoss,
                          double validationAccuracy, long supportChanges, long activeUnits, int dataPasses,
                          int rejectedSteps, double trainSeconds, double elapsedSeconds) {

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("sweep", sweep);
        o.addProperty("objective", objective);
        o.addProperty("trainAccuracy", trainAccuracy);
        if (!Double.isNaN(validationAccuracy)) {
            o.addProperty("validationLoss", validationLoss);
            o.addProperty("validationAccuracy", validationAccuracy);
        }
        o.addProperty("supportChanges", supportChanges);
        o.addProperty("activeUnits", activeUnits);
        o.addProperty("dataPasses", dataPasses);
        o.addProperty("rejectedSteps", rejectedSteps);
        o.addProperty("trainSeconds", trainSeconds);
        o.addProperty("elapsedSeconds", elapsedSeconds);
        return o;
    }
}
