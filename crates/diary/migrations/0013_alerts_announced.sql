-- Since this version a check announces every alert not yet announced, not only the ones its own
-- list made (a check stopped between keeping a list and announcing left its alert unannounced for
-- good). Before, an alert that a correction made was never announced and kept notified = 0: the
-- alerts already in a diary count as announced, so an upgrade raises no notification for them
-- (nor for the rare one a stopped check left unannounced before this version: it is on the
-- Alerts tab).
UPDATE alerts SET notified = 1;
