package dev.convexcnn.distill;

import com.google.gson.JsonObject;
import dev.convexcnn.data.Dataset;
import dev.convexcnn.sgd.SgdTrainer;

/**
 * What every cell of a study trains and is judged on: the transfer set (the students' training images) with the
 * teacher's logits on it, the validation split that selects among search candidates, and the test set that only
 * the selected student sees.
 */
public record StudyData(Dataset transfer, float[] teacherLogits, String teacherKey, Dataset validation, Dataset test) {
    public StudyData {
        if (transfer.size() == 0 || validation.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("the transfer, validation and test sets must not be empty (sizes "
                    + transfer.size() + ", " + validation.size() + ", " + test.size() + ")");
        }
        if (teacherLogits != null && teacherLogits.length != (long) transfer.size() * transfer.classes()) {
            throw new IllegalArgumentException(teacherLogits.length + " teacher logits do not fit the transfer set " + transfer);
        }
    }

    /** The data identity a cell's result depends on: the sets' fingerprints, and the teacher for mimic cells. */
    JsonObject key(CellId.Target target) {
        JsonObject o = new JsonObject();
        o.addProperty("transfer", SgdTrainer.fingerprint(transfer));
        o.addProperty("validation", SgdTrainer.fingerprint(validation));
        o.addProperty("test", SgdTrainer.fingerprint(test));
        if (target == CellId.Target.MIMIC) o.addProperty("teacher", teacherKey);
        return o;
    }
}
