// The Registry module: CGT treatment episodes, toxicity grading and follow-up schedules (pure domain).
