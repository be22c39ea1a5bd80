CREATE INDEX steps_amends ON steps(incident, outcome, reason) WHERE phase = 'amend';
