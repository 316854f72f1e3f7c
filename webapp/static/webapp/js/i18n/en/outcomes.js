// The questionnaire and insight pages' words (views/questionnaires.js, views/insights.js).
// The questions themselves, their answer words and the insight sentences are the server's
// (definitions are data) and are shown as the server sent them.
export default {
  questionnaires: {
    title: "Your questionnaires",
    thanks: "Thank you, your answers are saved",
    thanksScore: "Your score for {title}: {score}.",
    dueHeading: "To answer now",
    dueNone: "There is nothing to answer now. We will remind you when there is.",
    lookingBack: "Looking back over: {recall}",
    questions: { one: "1 question", other: "{count} questions" },
    aboutPlace: "About the pain in {where}, from {start} to {end}",
    aboutPlaceOpen: "About the pain in {where}",
    historyHeading: "Your answers so far",
    historyNone: "You have not answered any questionnaires yet.",
    answeredOn: "Answered {when}",
    score: "Score: {score}",
    higherIs: {
      worse: "A higher score means things are worse.",
      better: "A higher score means things are better.",
    },
    answerLabel: "{question}: {answer}",
    itemLabel: "Question {n}",
    itemHint: "Choose a number from {min} to {max}.",
    submit: "Send my answers",
    notDue:
      "This questionnaire is not due now: it may have been answered already, on this or another device.",
    backToList: "Go to your questionnaires",
    offline:
      "Your answers could not be sent because you are offline. They are still on this page: send them again when you are back online.",
    startLink: "Answer a few questions about your week",
    trendsLink: "Your questionnaires and scores",
  },
  insights: {
    title: "Ice, heat and your pain",
    intro:
      "For each place where you have used ice or heat, this compares how your pain changed by the next day after days with ice or heat and after days with neither.",
    caveatHeading: "Please read this first",
    safetyHeading: "Important",
    kind: { ice: "Ice", heat: "Heat" },
    notEnough: {
      one: "Not enough days yet (1 more needed)",
      other: "Not enough days yet ({count} more needed)",
    },
    daysHeading: "The days behind this",
    daysWith: { one: "1 day with {kind}", other: "{count} days with {kind}" },
    daysNeither: { one: "1 day with neither", other: "{count} days with neither" },
    kindLower: { ice: "ice", heat: "heat" },
    minimum: "Each group needs at least {n} days, each followed by an entry on the next day.",
    none:
      "Nothing to compare yet. When you use ice or heat on a place and log your pain there the next day too, this page shows what your diary says.",
    treatmentsLink: "Ice or heat",
    trendsLink: "Does ice or heat seem to help? What your diary shows",
  },
};
