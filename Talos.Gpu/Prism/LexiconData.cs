namespace Talos.Gpu.Prism;

/// <summary>
/// PRISM's built-in lexicon: the rules that map screenplay words to emotions, camera directions, effects, poses,
/// transitions, backgrounds and lighting, as JSON data (format in docs/scenegraph.md). A word ending in '*' matches
/// every word it begins ("laugh*" → laughs, laughing); other words match whole words only. Camera and transition
/// phrases match upper-case text in screenplays (where directions are written in capitals) and any case in prompts.
/// Replace it with <see cref="PrismOptions.Lexicon"/> = <see cref="Lexicon.Parse"/>(your JSON).
/// </summary>
static class LexiconData
{
    public const string Json = """
{
  "version": 1,
  "emotions": [
    { "name": "joy",      "words": ["laugh*", "smile*", "smiling", "grin*", "happy", "happily", "happier", "joy*", "delight*", "cheer*", "giggl*", "beam", "beams", "beaming", "hug*", "celebrat*", "excit*", "thrill*", "glad", "elated", "overjoyed", "rapt", "applaud*", "warm", "gorgeous", "joke*"] },
    { "name": "anger",    "words": ["angry", "angrily", "anger*", "furious*", "fuming", "rage*", "raging", "shout*", "yell*", "slam*", "smack*", "punch*", "glare*", "contempt", "seeth*", "argu*", "heated", "snarl*", "growl*", "exasperat*", "insistent", "mutter*", "fury"] },
    { "name": "fear",     "words": ["afraid", "fear*", "scared", "terrif*", "panic*", "trembl*", "scream*", "horror*", "horrif*", "dread*", "nervous*", "flee*", "fled", "creep*", "frighten*", "uneasy", "worried", "anxious*", "oh crap"] },
    { "name": "sadness",  "words": ["sad", "sadly", "sadness", "cry", "cries", "crying", "cried", "tear", "tears", "tearful", "sob", "sobs", "sobbing", "weep*", "wept", "grief", "griev*", "mourn*", "sorrow*", "depress*", "lonely", "sigh*", "heartbroken", "funeral", "dying", "alone"] },
    { "name": "surprise", "words": ["surpris*", "shock*", "gasp*", "stun*", "astonish*", "amaz*", "startl*", "sudden*", "wide-eyed", "whoa", "woah", "wow", "disbelief", "discovery"] },
    { "name": "calm",     "words": ["calm*", "quiet*", "gentl*", "softly", "peace*", "relax*", "serene*", "whisper*", "contemplat*", "tranquil*", "sympathetic*"] }
  ],
  "parentheticalWeight": 2,
  "camera": [
    { "phrase": "EXTREME CLOSE", "move": "close" },
    { "phrase": "CLOSE ON", "move": "close" },
    { "phrase": "CLOSE-UP", "move": "close" },
    { "phrase": "CLOSE UP", "move": "close" },
    { "phrase": "CLOSEUP", "move": "close" },
    { "phrase": "INSERT", "move": "close" },
    { "phrase": "POV", "move": "close" },
    { "phrase": "ANGLE ON", "move": "medium" },
    { "phrase": "MEDIUM", "move": "medium" },
    { "phrase": "TWO SHOT", "move": "medium" },
    { "phrase": "OVER THE SHOULDER", "move": "medium" },
    { "phrase": "WIDE", "move": "wide" },
    { "phrase": "ESTABLISHING", "move": "wide" },
    { "phrase": "AERIAL", "move": "wide" },
    { "phrase": "PAN", "move": "pan" },
    { "phrase": "PANS", "move": "pan" },
    { "phrase": "TRACKING", "move": "pan" },
    { "phrase": "DOLLY", "move": "dolly" },
    { "phrase": "PUSH IN", "move": "dolly" },
    { "phrase": "PULL BACK", "move": "dolly" },
    { "phrase": "ZOOM", "move": "dolly" }
  ],
  "defaultCamera": { "firstShot": "wide", "dialogue": "medium", "action": "static" },
  "effects": [
    { "name": "fire",  "words": ["fire", "fires", "fireplace", "firelight", "campfire*", "bonfire*", "flame*", "flaming", "burn", "burns", "burning", "burnt", "blaze*", "blazing", "ablaze", "inferno", "explo*", "torch*", "candle*", "ember*"] },
    { "name": "smoke", "words": ["smoke*", "smoky", "smoking", "smoulder*", "smolder*", "ash", "ashes", "cigar*", "soot*", "chimney*"] },
    { "name": "magic", "words": ["magic*", "spell", "spells", "enchant*", "sparkl*", "shimmer*", "glow*", "wand", "wands", "witch*", "fairy", "fairies", "glitter*", "sorcer*", "wizard*"] },
    { "name": "mist",  "words": ["mist*", "fog*", "rain", "rains", "raining", "rainy", "rainfall", "rainstorm", "haze", "hazy", "steam*", "drizzl*", "snow*", "vapor*", "vapour*", "spray", "storm", "storms", "stormy"] }
  ],
  "sounds": [
    { "name": "rain",    "anyCase": true, "words": ["rain", "rains", "raining", "rainy", "rainfall", "rainstorm", "downpour*", "drizzl*"] },
    { "name": "thunder", "anyCase": true, "words": ["thunder*", "lightning"] },
    { "name": "wind",    "anyCase": true, "words": ["wind", "winds", "windy", "gust*", "gale*"] },
    { "name": "sea",     "anyCase": true, "words": ["waves", "surf", "tide"] },
    { "name": "fire",    "anyCase": true, "words": ["crackl*", "blaze*", "blazing", "inferno"] },
    { "name": "crash",   "words": ["crash*", "smash*", "shatter*", "splinter*"] },
    { "name": "bang",    "words": ["bang*", "boom*", "blast*", "gunshot*", "gunfire", "shot", "shots", "explo*", "kaboom"] },
    { "name": "impact",  "words": ["slam*", "smack*", "thud*", "thump*", "whack*", "punch*", "crunch*", "wham"] },
    { "name": "splash",  "words": ["splash*", "splosh*", "plop*"] },
    { "name": "roar",    "words": ["roar*", "scream*", "shriek*", "howl*", "yell*", "growl*"] },
    { "name": "knock",   "words": ["knock*", "tap", "taps", "tapping"] },
    { "name": "ring",    "words": ["ring", "rings", "ringing", "buzz*", "beep*", "honk*", "siren*", "alarm*"] },
    { "name": "creak",   "words": ["creak*", "squeak*", "screech*", "click*", "clang*", "clatter*"] },
    { "name": "music",   "words": ["music", "song", "sings", "singing", "band", "applause"] }
  ],
  "poses": [
    { "name": "fall",    "words": ["fall", "falls", "falling", "fell", "collaps*", "trip", "trips", "tripping", "tripped", "stumbl*", "slip", "slips", "slipping", "slipped", "tumbl*", "topple*"] },
    { "name": "fight",   "words": ["fight*", "fought", "punch*", "kick*", "smack*", "hit", "hits", "slam*", "struggl*", "wrestl*", "attack*", "swing", "swings", "roughing", "shove*", "tackle*", "brawl*"] },
    { "name": "run",     "words": ["run", "runs", "running", "ran", "sprint*", "dash", "dashes", "dashing", "race", "races", "racing", "rush", "rushes", "rushing", "chase*", "chasing", "flee*", "fled", "speed", "speeds", "hurr*"] },
    { "name": "walk",    "words": ["walk*", "stroll*", "step", "steps", "stepping", "wander*", "cross", "crosses", "crossing", "approach*", "enter", "enters", "entering", "exit", "exits", "pace", "paces", "pacing", "march*", "emerge*", "heads", "leaves", "limp*"] },
    { "name": "point",   "words": ["point", "points", "pointing", "pointed", "indicat*", "aim", "aims", "aiming"] },
    { "name": "wave",    "words": ["wave", "waves", "waving", "waved", "salute*"] },
    { "name": "sit",     "words": ["sit", "sits", "sitting", "sat", "seated", "kneel*", "knelt", "crouch*", "squat*", "lies", "lying"] },
    { "name": "gesture", "words": ["gestur*", "shrug*", "nod", "nods", "nodding", "nodded", "motion", "motions", "beckon*", "toast*", "raise", "raises", "raised", "clap*", "applaud*", "tweak*", "drink", "drinks", "drinking", "holds up", "shakes", "hands"] }
  ],
  "transitions": [
    { "phrase": "SMASH CUT", "transition": "cut" },
    { "phrase": "MATCH CUT", "transition": "cut" },
    { "phrase": "JUMP CUT", "transition": "cut" },
    { "phrase": "DISSOLVE", "transition": "dissolve" },
    { "phrase": "CROSSFADE", "transition": "dissolve" },
    { "phrase": "WIPE", "transition": "dissolve" },
    { "phrase": "BURN", "transition": "dissolve" },
    { "phrase": "FADE", "transition": "fade" },
    { "phrase": "CUT", "transition": "cut" }
  ],
  "defaultTransition": "cut",
  "settingBackgrounds": { "INT": "interior" },
  "timeOfDay": [
    { "phrase": "LATE NIGHT", "background": "night" },
    { "phrase": "MIDNIGHT", "background": "night" },
    { "phrase": "NIGHT", "background": "night" },
    { "phrase": "SUNSET", "background": "dusk" },
    { "phrase": "SUNRISE", "background": "dusk" },
    { "phrase": "TWILIGHT", "background": "dusk" },
    { "phrase": "DUSK", "background": "dusk" },
    { "phrase": "DAWN", "background": "dusk" },
    { "phrase": "EVENING", "background": "dusk" },
    { "phrase": "MORNING", "background": "day" },
    { "phrase": "AFTERNOON", "background": "day" },
    { "phrase": "NOON", "background": "day" },
    { "phrase": "DAY", "background": "day" }
  ],
  "interiorWords": ["inside", "indoors", "interior", "room", "kitchen", "bedroom", "office", "hall", "hallway", "corridor", "cabin", "attic", "basement", "garage"],
  "defaultBackground": "day",
  "lightingByEmotion": { "joy": "noon", "anger": "key-right", "fear": "moody", "sadness": "moody", "surprise": "key-right" },
  "lightingByBackground": { "day": "key-left", "dusk": "sunset", "night": "moody", "interior": "key-left", "studio": "key-left" },
  "nonNames": [
    "a", "an", "the", "and", "but", "or", "so", "then", "now", "later", "meanwhile", "suddenly", "finally", "soon", "after", "before",
    "when", "while", "as", "at", "in", "on", "of", "to", "from", "with", "without", "into", "onto", "over", "under", "behind",
    "beside", "near", "by", "for", "through", "across", "outside", "inside", "above", "below", "up", "down", "out", "off", "back",
    "he", "she", "it", "they", "we", "i", "you", "his", "her", "its", "their", "our", "my", "your", "him", "them", "us", "me",
    "this", "that", "these", "those", "there", "here", "where", "who", "what", "why", "how", "which", "everyone", "someone",
    "nobody", "somebody", "everybody", "all", "both", "each", "every", "some", "no", "not", "one", "two", "three", "yes", "oh",
    "hello", "hi", "hey", "okay", "ok", "please", "thanks", "thank", "look", "wait", "stop", "come", "go", "let", "let's",
    "is", "are", "was", "were", "be", "been", "do", "does", "did", "can", "could", "will", "would", "should", "may", "might",
    "must", "shall", "only", "just", "even", "still", "again", "once", "never", "always", "together", "close", "wide", "pan",
    "dolly", "fade", "cut", "dissolve", "int", "ext", "day", "night", "dusk", "dawn", "morning", "evening", "sunset", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "god", "mr", "mrs", "ms", "dr"
  ]
}
""";
}
