namespace SessionKit.Benchmarks;

/// <summary>
/// One planted fact: the assistant's answer (with a <see cref="Key"/> no distractor has), two similar-sounding distractors
/// on the same subject, a question that repeats the answer's words and one that shares no content word with it.
/// </summary>
public sealed record ParaphraseCase(string Answer, string Key, string[] Distractors, string WordQuestion, string Paraphrase);

/// <summary>The paraphrase set: 20 facts from everyday, work and science conversations.</summary>
public static class ParaphraseSet
{
    /// <summary>The cases.</summary>
    public static IReadOnlyList<ParaphraseCase> Cases { get; } =
    [
        new("Onshore wind turbines typically achieve a capacity factor of around 35 percent.", "35 percent",
            ["Offshore wind farms can reach a capacity factor close to 50 percent in the North Sea.", "Solar panels in Germany usually reach a capacity factor of about 11 percent."],
            "What capacity factor do onshore wind turbines achieve?", "How much of its rated output does a land-based windmill deliver?"),
        new("The Great Barrier Reef stretches for roughly 2,300 kilometres along the coast of Queensland.", "2,300 kilometres",
            ["The Mesoamerican Reef runs for about 1,000 kilometres from Mexico to Honduras.", "The Belize Barrier Reef is the second largest reef system, protected since 1996."],
            "How long is the Great Barrier Reef along the Queensland coast?", "What distance does Australia's biggest coral formation cover?"),
        new("Honeybees communicate the location of flowers with a waggle dance inside the hive.", "waggle dance",
            ["Bumblebees leave scent marks on flowers they have already emptied of nectar.", "Ants lay pheromone trails so the colony can follow the shortest path to food."],
            "How do honeybees communicate the location of flowers?", "How do bees tell their sisters where the blossoms are?"),
        new("Our monthly cloud hosting bill came to 4,200 dollars after we moved the database to managed Postgres.", "4,200 dollars",
            ["The marketing team spends about 900 dollars a month on newsletter software.", "Office rent went up to 3,100 dollars when we renewed the lease."],
            "What did the monthly cloud hosting bill come to?", "How much are we paying each month for servers now?"),
        new("The vaccine trial enrolled 1,800 volunteers across six hospitals in Kenya.", "1,800 volunteers",
            ["The malaria drug study recruited 600 children in Uganda.", "The tuberculosis trial in South Africa ended early after 400 patients."],
            "How many volunteers did the vaccine trial enroll?", "How many people took part in the immunisation study in East Africa?"),
        new("Grandma's apple pie recipe needs a tablespoon of cinnamon and a pinch of nutmeg.", "pinch of nutmeg",
            ["The banana bread recipe calls for two ripe bananas and a teaspoon of vanilla.", "Mum's carrot cake uses walnuts and a little ginger."],
            "What spices does grandma's apple pie recipe need?", "Which seasonings go into my granny's orchard-fruit dessert?"),
        new("The flight to Lisbon departs at 6:40 on Friday morning from terminal 2.", "6:40",
            ["The return flight from Porto lands at 21:15 on Sunday.", "The train to Madrid leaves at 9:05 on Saturday."],
            "When does the flight to Lisbon depart on Friday?", "What time is my plane to Portugal's capital taking off?"),
        new("The patient's blood pressure was 150 over 95, so the doctor prescribed lisinopril.", "150 over 95",
            ["Her cholesterol was 240, so the doctor suggested a statin.", "His resting heart rate was 88 beats per minute at the last visit."],
            "What was the patient's blood pressure when lisinopril was prescribed?", "What reading did the physician take of my arterial tension before giving me medication?"),
        new("Mount Kilimanjaro rises 5,895 metres above sea level, the highest peak in Africa.", "5,895 metres",
            ["Mount Kenya reaches 5,199 metres and has several glaciers.", "Mount Elbrus, at 5,642 metres, is the tallest summit in Europe."],
            "How high does Mount Kilimanjaro rise above sea level?", "How tall is Tanzania's famous snow-capped volcano?"),
        new("The library extends the loan period to 28 days for members with a student card.", "28 days",
            ["The city library charges 20 cents a day for overdue books.", "Members may reserve up to five books at a time online."],
            "What loan period does the library extend to members with a student card?", "For how long can a university pupil borrow things?"),
        new("Our startup raised a seed round of 2.5 million euros led by Northzone.", "2.5 million euros",
            ["The competitor closed a Series A of 12 million dollars last spring.", "We applied for a government innovation grant worth 300 thousand euros."],
            "How much seed funding did our startup raise from Northzone?", "What was the size of the first investment into our young company?"),
        new("The dog's kibble should be limited to 320 grams a day to bring his weight down.", "320 grams",
            ["The cat needs about 60 grams of wet food twice a day.", "Give the puppy three small meals until he is six months old."],
            "How many grams of kibble should the dog get a day?", "How much should I feed my overweight hound?"),
        new("The Treaty of Westphalia in 1648 ended the Thirty Years' War in Europe.", "1648",
            ["The Peace of Utrecht in 1713 ended the War of the Spanish Succession.", "The Congress of Vienna in 1815 redrew the map after Napoleon."],
            "Which treaty ended the Thirty Years' War in Europe?", "Which agreement brought the long seventeenth-century conflict in Germany to a close?"),
        new("The router's admin password was reset to the serial number printed under the device.", "serial number",
            ["The Wi-Fi network name was changed to HomeMesh last week.", "The printer's IP address is 192.168.1.40 on the guest network."],
            "What was the router admin password reset to?", "What do I type to log in to the box that gives us internet?"),
        new("The marathon's cutoff time is six and a half hours, after which the roads reopen.", "six and a half hours",
            ["The half marathon starts at 8:30 from the harbour.", "Water stations are placed every five kilometres along the course."],
            "What is the marathon's cutoff time before the roads reopen?", "How long do runners have to finish the 42-kilometre race?"),
        new("Photosynthesis in C4 plants like maize concentrates carbon dioxide around the enzyme RuBisCO.", "RuBisCO",
            ["CAM plants such as cacti open their stomata only at night to save water.", "C3 plants like wheat lose efficiency through photorespiration in hot weather."],
            "How does photosynthesis in C4 plants like maize work?", "How does corn gather the gas it turns into sugar near its key catalyst?"),
        new("The lease on the flat ends on 31 August, and the landlord wants two months' notice.", "31 August",
            ["The car insurance renews on 15 March each year.", "The gym membership can be cancelled with one month's notice."],
            "When does the lease on the flat end?", "Until what date may I keep renting my apartment?"),
        new("Espresso is brewed by forcing water at about 9 bar of pressure through finely ground coffee.", "9 bar",
            ["Cold brew steeps coarse grounds in cold water for 12 to 24 hours.", "A French press needs about four minutes of steeping."],
            "At what pressure is espresso brewed?", "How hard does the machine push the liquid to make a short strong shot?"),
        new("Saturn's moon Titan has lakes of liquid methane and ethane near its north pole.", "methane and ethane",
            ["Jupiter's moon Europa hides a salty ocean under its icy crust.", "Mars has polar caps of frozen carbon dioxide and water ice."],
            "What are the lakes on Saturn's moon Titan made of?", "What fills the pools on the ringed planet's largest satellite?"),
        new("The new hire's salary was set at 58,000 pounds with a review after six months.", "58,000 pounds",
            ["The senior engineer earns 75,000 pounds plus a bonus.", "Interns are paid 2,000 pounds a month during the summer."],
            "What salary was set for the new hire?", "How much will the person we just recruited earn per year?"),
    ];
}
