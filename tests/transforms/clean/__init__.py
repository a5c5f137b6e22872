
# Sentences of 60 to 100 characters, as a news story's paragraphs are.
STORY = ["The river rose two metres overnight and flooded the lower streets of the old town.",
         "Firefighters moved forty families to the school hall before the bridge was closed.",
         "The weather service expects the water to fall slowly over the next three days.",
         "Shops on the quay said they would open again once the mud had been cleared away."]


def joined(lines):
    return "\n".join(lines)
