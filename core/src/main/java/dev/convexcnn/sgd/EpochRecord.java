package dev.convexcnn.sgd;

import com.google.gson.JsonObject;

/**
 * What one epoch did. trainLoss and trainAccuracy are running means over the epoch's batches; the validation
 * figures are NaN when there is no validation split. trainSeconds is the time of the gradient steps alone.
 */
public record EpochRecord(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                          double validationAccuracy, double trainSeconds, double elapsedSeconds) {

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("epoch", epoch);
        o.addProperty("trainLoss", trainLoss);
        o.addProperty("trainAccuracy", trainAccuracy);
        if (!Double.isNaN(validationLoss)) {
            o.addProperty("validationLoss", validationLoss);
            o.addProperty("validationAccuracy", validationAccuracy);
        }
        o.addProperty("trainSeconds", trainSeconds);
        o.addProperty("elapsedSeconds", elapsedSeconds);
        return o;
    }

    public static EpochRecord fromJson(JsonObject o) {
        return new EpochRecord(o.get("epoch").getAsInt(), o.get("trainLoss").getAsDouble(),
                o.get("trainAccuracy").getAsDouble(),
                o.has("validationLoss") ? o.get("validationLoss").getAsDouble() : Double.NaN,
                o.has("validationAccuracy") ? o.get("validationAccuracy").getAsDouble() : Double.NaN,
                o.get("trainSeconds").getAsDouble(), o.get("elapsedSeconds").getAsDouble());
    }
}
